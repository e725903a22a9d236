/**
 * WRENCH benchmark format (Zhang et al. 2021, github.com/JieyuZ2/wrench): each split file is one
 * JSON object mapping a string id to `{"label": int, "weak_labels": [int per LF], "data": {...}}`,
 * weak label -1 = abstain; `label.json` maps class ids to names.
 *
 * Pure text in, values out (no fs), so the same parser serves the CLI and the browser importer.
 * Rows come in the order `JSON.parse` gives, i.e. `Object.keys` order: integer-like ids first in
 * numeric order, then the others in file order. Tie-broken metrics depend on row positions, so
 * this order is part of the contract (semeval's ids are not in numeric order in the file).
 *
 * Every error is a ShoalError of one line naming the file, the row id and the problem.
 */
import { LabelMatrix } from '../matrix.ts';
import { ABSTAIN, ShoalError } from '../types.ts';

export interface WrenchSplit {
  ids: string[];
  L: LabelMatrix;
  /** Gold class per row; -1 where the file has no gold (e.g. written by `shoal apply`). */
  labels: Int32Array;
  data: Record<string, unknown>[];
}

/** The largest class count a label matrix holds (Int8Array votes). */
const MAX_K = 127;

/**
 * Parse one split file. `k` comes from label.json when known; otherwise it is inferred as the
 * largest label or weak label + 1 (at least 2) — pass the same k to every split of a dataset.
 */
export function parseWrenchSplit(text: string, fileName: string, k?: number): WrenchSplit {
  if (k !== undefined && (!Number.isInteger(k) || k < 2 || k > MAX_K)) {
    throw new ShoalError(`${fileName}: class count must be an integer in 2..${MAX_K}, got ${k}`);
  }
  const root = parseJson(text, fileName);
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new ShoalError(`${fileName}: expected a JSON object mapping row ids to {label, weak_labels, data}, got ${describe(root)}`);
  }
  const obj = root as Record<string, unknown>;
  const ids = Object.keys(obj);
  const n = ids.length;
  const labels = new Int32Array(n);
  const data: Record<string, unknown>[] = new Array(n);
  let m = -1;
  let firstId = '';
  let cols: Int8Array[] = [];
  let maxSeen = -1;
  const where = (id: string) => `${fileName}, row "${id}"`;

  for (let i = 0; i < n; i++) {
    const id = ids[i];
    const row = obj[id];
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new ShoalError(`${where(id)}: expected an object {label, weak_labels, data}, got ${describe(row)}`);
    }
    const r = row as Record<string, unknown>;
    const weak = r.weak_labels;
    if (!Array.isArray(weak)) throw new ShoalError(`${where(id)}: has no weak_labels array`);
    if (m < 0) {
      m = weak.length;
      firstId = id;
      cols = Array.from({ length: m }, () => new Int8Array(n));
    } else if (weak.length !== m) {
      throw new ShoalError(`${where(id)}: has ${weak.length} weak labels, expected ${m} as in row "${firstId}"`);
    }
    const hi = k ?? MAX_K;
    for (let j = 0; j < m; j++) {
      const v = weak[j];
      if (!Number.isInteger(v) || v < ABSTAIN || v >= hi) {
        throw new ShoalError(`${where(id)}: weak label ${JSON.stringify(v)} of LF ${j} is outside -1..${hi - 1}`);
      }
      cols[j][i] = v;
      if (v > maxSeen) maxSeen = v;
    }
    if (!('label' in r)) throw new ShoalError(`${where(id)}: has no label (use -1 for an unlabelled row)`);
    const y = r.label;
    if (!Number.isInteger(y) || (y as number) < ABSTAIN || (y as number) >= hi) {
      throw new ShoalError(`${where(id)}: label ${JSON.stringify(y)} is outside 0..${hi - 1} (or -1 for unlabelled)`);
    }
    labels[i] = y as number;
    if ((y as number) > maxSeen) maxSeen = y as number;
    const d = r.data;
    if (d === undefined || d === null) data[i] = {};
    else if (typeof d === 'object' && !Array.isArray(d)) data[i] = d as Record<string, unknown>;
    else throw new ShoalError(`${where(id)}: data must be an object, got ${describe(d)}`);
  }
  const classes = k ?? Math.max(2, maxSeen + 1);
  return { ids, L: new LabelMatrix(n, classes, cols), labels, data };
}

/** Class names from label.json (`{"0": "HAM", "1": "SPAM"}`), indexed by class id. */
export function parseWrenchLabels(text: string, fileName: string): string[] {
  const root = parseJson(text, fileName);
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new ShoalError(`${fileName}: expected a JSON object mapping class ids to names, got ${describe(root)}`);
  }
  const entries = Object.entries(root as Record<string, unknown>);
  const names: string[] = new Array(entries.length);
  for (const [key, name] of entries) {
    const c = Number(key);
    if (!/^(0|[1-9]\d*)$/.test(key) || c >= entries.length) {
      throw new ShoalError(`${fileName}: class id "${key}" is not one of 0..${entries.length - 1}`);
    }
    if (typeof name !== 'string') throw new ShoalError(`${fileName}: name of class ${key} must be a string, got ${describe(name)}`);
    names[c] = name;
  }
  if (names.length < 2) throw new ShoalError(`${fileName}: needs at least 2 classes, found ${names.length}`);
  if (names.length > MAX_K) throw new ShoalError(`${fileName}: at most ${MAX_K} classes are supported, found ${names.length}`);
  return names;
}

/**
 * Serialise a split in WRENCH's layout (one row per line, tab-indented), readable by WRENCH and
 * by `parseWrenchSplit`. Ids are written in the given order; note that JSON readers list
 * integer-like ids in numeric order regardless.
 */
export function writeWrenchSplit(
  ids: readonly string[],
  L: LabelMatrix,
  labels: ArrayLike<number>,
  data: readonly (Record<string, unknown> | undefined)[],
): string {
  const n = ids.length;
  if (L.n !== n || labels.length !== n || data.length !== n) {
    throw new ShoalError(
      `cannot write WRENCH split: ${n} ids, ${L.n} label-matrix rows, ${labels.length} labels and ${data.length} data rows must all match`,
    );
  }
  const seen = new Set<string>();
  const cols = L.columns();
  const lines: string[] = [];
  const weak: number[] = new Array(L.m);
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    if (seen.has(id)) throw new ShoalError(`cannot write WRENCH split: id "${id}" appears twice (row ${i})`);
    seen.add(id);
    const y = labels[i];
    if (!Number.isInteger(y) || y < ABSTAIN || y >= L.k) {
      throw new ShoalError(`cannot write WRENCH split: row "${id}" has label ${y}, outside -1..${L.k - 1}`);
    }
    for (let j = 0; j < cols.length; j++) weak[j] = cols[j][i];
    lines.push(`\t${JSON.stringify(id)}: {"label": ${y}, "weak_labels": [${weak.join(', ')}], "data": ${JSON.stringify(data[i] ?? {})}}`);
  }
  return n === 0 ? '{}\n' : `{\n${lines.join(',\n')}\n}\n`;
}

/** JSON.parse with the error turned into "<file>: invalid JSON at position N (line L, column C)". */
function parseJson(text: string, fileName: string): unknown {
  // A UTF-8 BOM is not JSON but editors add it; dropping it keeps positions relative to content.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (err) {
    // V8 names a position for only some errors, so locate it ourselves (only on this cold path).
    const found = jsonErrorPosition(body);
    // -1 would mean our scanner disagrees with JSON.parse; report the end rather than nothing.
    const pos = found < 0 ? body.length : found;
    let line = 1;
    let lineStart = 0;
    for (let p = 0; p < pos; p++) {
      if (body.charCodeAt(p) === 10) {
        line++;
        lineStart = p + 1;
      }
    }
    const what = pos >= body.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(body[pos])}`;
    throw new ShoalError(`${fileName}: invalid JSON at position ${pos} (line ${line}, column ${pos - lineStart + 1}): ${what}`);
  }
}

/**
 * Index of the first character where `s` stops being valid JSON (s.length for a premature end),
 * or -1 when `s` is valid. A strict RFC 8259 scanner; iterative so deep nesting cannot overflow.
 */
export function jsonErrorPosition(s: string): number {
  let p = 0;
  const n = s.length;
  // Stack of open containers: '{' or '['.
  const stack: string[] = [];
  const ws = () => {
    while (p < n) {
      const c = s.charCodeAt(p);
      if (c === 32 || c === 9 || c === 10 || c === 13) p++;
      else break;
    }
  };
  const string = (): boolean => {
    p++; // opening quote
    while (p < n) {
      const c = s.charCodeAt(p);
      if (c === 34) {
        p++;
        return true;
      }
      if (c < 32) return false;
      if (c === 92) {
        p++;
        if (p >= n) return false;
        const e = s[p];
        if (e === 'u') {
          for (let t = 1; t <= 4; t++) if (!/[0-9a-fA-F]/.test(s[p + t] ?? '')) return ((p += t), false);
          p += 5;
        } else if ('"\\/bfnrt'.includes(e)) p++;
        else return false;
      } else p++;
    }
    return false;
  };
  const digits = (): boolean => {
    const from = p;
    while (p < n && s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 57) p++;
    return p > from;
  };
  // Fails at the character where a digit was required, as V8 reports it.
  const number = (): boolean => {
    if (s[p] === '-') p++;
    if (s[p] === '0') p++;
    else if (!digits()) return false;
    if (s[p] === '.') {
      p++;
      if (!digits()) return false;
    }
    if (s[p] === 'e' || s[p] === 'E') {
      p++;
      if (s[p] === '+' || s[p] === '-') p++;
      if (!digits()) return false;
    }
    return true;
  };
  // True right after a container opened: its first member is still to be parsed.
  let pending = false;
  // Parse one value; containers push onto the stack and return to the loop below.
  const value = (): boolean => {
    ws();
    if (p >= n) return false;
    const c = s[p];
    if (c === '{' || c === '[') {
      stack.push(c);
      p++;
      ws();
      const close = c === '{' ? '}' : ']';
      if (s[p] === close) {
        stack.pop();
        p++;
        return true;
      }
      // The first member is parsed by the loop below, not here, so nesting never recurses.
      pending = true;
      return true;
    }
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    const lit = c === 't' ? 'true' : c === 'f' ? 'false' : c === 'n' ? 'null' : '';
    if (!lit) return false;
    // Fail at the first character that breaks the literal, as V8 reports it.
    for (let t = 0; t < lit.length; t++, p++) if (s[p] !== lit[t]) return false;
    return true;
  };
  const key = (): boolean => {
    ws();
    if (s[p] !== '"' || !string()) return false;
    ws();
    if (s[p] !== ':') return false;
    p++;
    return value();
  };
  const member = () => (stack[stack.length - 1] === '{' ? key() : value());
  if (!value()) return Math.min(p, n);
  for (;;) {
    if (pending) {
      pending = false;
      if (!member()) return Math.min(p, n);
      continue;
    }
    ws();
    if (stack.length === 0) return p < n ? p : -1;
    const top = stack[stack.length - 1];
    if (p >= n) return n;
    if (s[p] === ',') {
      p++;
      if (!member()) return Math.min(p, n);
    } else if (s[p] === (top === '{' ? '}' : ']')) {
      stack.pop();
      p++;
    } else return p;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);
}
