/**
 * Best-effort removal of the TypeScript annotations people write in small LF functions, so a
 * code LF may be typed: `(x: Row): string | null => ...`, `function (x: any): number {`,
 * `const n: number = ...`, `x.text as string`, `words(x)!`. The runtime only calls this after
 * the source failed to compile as JavaScript, and only keeps the result if it then compiles, so
 * valid JS is never touched. String literals, template literals and comments are masked first,
 * so text inside them is never rewritten. Generics, interfaces and enums are out of scope:
 * such code keeps its syntax error.
 */

const TYPE = String.raw`[A-Za-z_$][\w$.]*(?:<[^<>()]*(?:<[^<>()]*>[^<>()]*)*>)?(?:\[\])*`;
const UNION = String.raw`(?:${TYPE}|'[^']*'|"[^"]*"|null|undefined)(?:\s*\|\s*(?:${TYPE}|'[^']*'|"[^"]*"|null|undefined))*`;

/** Replace strings, templates and comments by same-length placeholders; return a way back. */
function mask(src: string): { code: string; unmask: (s: string) => string } {
  const saved: string[] = [];
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    let end = -1;
    if (c === '"' || c === "'" || c === '`') {
      end = i + 1;
      while (end < src.length && src[end] !== c) end += src[end] === '\\' ? 2 : 1;
      end = Math.min(end + 1, src.length);
    } else if (c === '/' && src[i + 1] === '/') {
      end = src.indexOf('\n', i);
      if (end < 0) end = src.length;
    } else if (c === '/' && src[i + 1] === '*') {
      end = src.indexOf('*/', i + 2);
      end = end < 0 ? src.length : end + 2;
    }
    if (end < 0) {
      out += c;
      i++;
      continue;
    }
    saved.push(src.slice(i, end));
    out += `\u0000${saved.length - 1}\u0000`;
    i = end;
  }
  return { code: out, unmask: (s) => s.replace(/\u0000(\d+)\u0000/g, (_, k: string) => saved[Number(k)]) };
}

export function stripTypes(src: string): string {
  const { code, unmask } = mask(src);
  let s = code;
  // Parameter annotations inside a parameter list: `(x: Row, i: number)`, optional `x?: T`.
  s = s.replace(new RegExp(String.raw`([(,]\s*[A-Za-z_$][\w$]*)\s*\??\s*:\s*${UNION}(?=\s*[,)=])`, 'g'), '$1');
  // Return types: `): T =>` and `): T {`.
  s = s.replace(new RegExp(String.raw`\)\s*:\s*${UNION}\s*(=>|\{)`, 'g'), ') $1');
  // Variable annotations: `const n: number =`.
  s = s.replace(new RegExp(String.raw`\b(const|let|var)\s+([A-Za-z_$][\w$]*)\s*:\s*${UNION}\s*=`, 'g'), '$1 $2 =');
  // Casts: `expr as T` (not `as` used as a name: it must be followed by a type and then an operator or end).
  s = s.replace(new RegExp(String.raw`\s+as\s+(?:const|${UNION})(?=\s*[)\],;.?:}]|\s*$|\s*[|&+\-*/<>=!])`, 'g'), '');
  // Non-null assertions: `words(x)!.length`, `m!` before `.`, `)` or `;`.
  s = s.replace(/([\w$)\]])!(?=[.)\];,\s])(?!=)/g, '$1');
  return unmask(s);
}
