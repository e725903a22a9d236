/**
 * The entries of an LF module (`shoal apply --lfs FILE.mjs`): a function LF
 * (`{ name, apply }` or a named function), or a template LF declared as data
 * (`{ name, kind: 'keyword' | 'regex' | 'length', label, ... }`). Templates run on the runtime's
 * template pass, as the app's do: one case fold and one scan of the text shared by every keyword
 * LF, and regexes skipped on rows that lack a character they require. A function cannot be
 * inspected that way, so a module that declares its keyword, regex and length LFs as templates
 * runs them faster than the same LFs written as functions.
 */
import type { FunctionLf } from './runtime.ts';
import type { CompareOp, KeywordLf, KeywordMatch, LengthLf, LengthUnit, LfDef, RegexLf } from './types.ts';

export type ModuleLf = FunctionLf | Exclude<LfDef, { kind: 'code' }>;

export const MODULE_TEMPLATE_KINDS = ['keyword', 'regex', 'length'] as const;

export function isFunctionLf(e: ModuleLf): e is FunctionLf {
  return 'apply' in e && typeof e.apply === 'function';
}

const MATCHES: readonly KeywordMatch[] = ['word', 'token', 'substring'];
const UNITS: readonly LengthUnit[] = ['chars', 'words', 'tokens'];
const OPS: readonly CompareOp[] = ['<', '<=', '>', '>=', '==', '!='];

/** One default-export entry as a function LF or a template LF; throws one sentence naming the LF and what is wrong. */
export function moduleEntry(lf: unknown, j: number, where: string): ModuleLf {
  const o = (lf ?? {}) as Record<string, unknown>;
  const name = typeof o.name === 'string' && o.name.length > 0 ? o.name : typeof lf === 'function' && lf.name ? lf.name : '';
  if (!name) throw new Error(`${where}: LF #${j} has no name`);
  const apply = typeof lf === 'function' ? lf : o.apply;
  if (typeof apply === 'function') return { name, apply: apply as FunctionLf['apply'] };
  if (o.kind === undefined)
    throw new Error(`${where}: LF "${name}" has no apply function (or a template kind: ${MODULE_TEMPLATE_KINDS.join(', ')})`);
  const bad = (what: string) => new Error(`${where}: template LF "${name}" (${String(o.kind)}): ${what}`);
  if (typeof o.label !== 'string' || o.label === '') throw bad('`label` must be a class name');
  if (o.field !== undefined && typeof o.field !== 'string') throw bad('`field` must be a field name');
  const base = { id: name, name, enabled: true, label: o.label, ...(o.field === undefined ? {} : { field: o.field }) };
  switch (o.kind) {
    case 'keyword': {
      const keywords = o.keywords;
      if (!Array.isArray(keywords) || keywords.length === 0 || !keywords.every((k) => typeof k === 'string' && k !== ''))
        throw bad('`keywords` must be a non-empty array of non-empty strings');
      const match = o.match ?? 'word';
      if (!MATCHES.includes(match as KeywordMatch)) throw bad(`\`match\` must be one of ${MATCHES.join(', ')}`);
      const mode = o.mode ?? 'any';
      if (mode !== 'any' && mode !== 'all') throw bad('`mode` must be "any" or "all"');
      const caseSensitive = o.caseSensitive ?? false;
      if (typeof caseSensitive !== 'boolean') throw bad('`caseSensitive` must be true or false');
      const def: KeywordLf = {
        ...base,
        kind: 'keyword',
        keywords: keywords as string[],
        match: match as KeywordMatch,
        mode,
        caseSensitive,
      };
      return def;
    }
    case 'regex': {
      if (typeof o.pattern !== 'string' || o.pattern === '') throw bad('`pattern` must be a non-empty string');
      const flags = o.flags ?? '';
      if (typeof flags !== 'string') throw bad('`flags` must be a string of RegExp flags');
      const def: RegexLf = { ...base, kind: 'regex', pattern: o.pattern, flags };
      return def;
    }
    case 'length': {
      if (!UNITS.includes(o.unit as LengthUnit)) throw bad(`\`unit\` must be one of ${UNITS.join(', ')}`);
      if (!OPS.includes(o.op as CompareOp)) throw bad(`\`op\` must be one of ${OPS.join(' ')}`);
      if (typeof o.value !== 'number' || !Number.isFinite(o.value)) throw bad('`value` must be a number');
      const def: LengthLf = { ...base, kind: 'length', unit: o.unit as LengthUnit, op: o.op as CompareOp, value: o.value };
      return def;
    }
    default:
      throw bad(`unknown kind; a module LF is a function or one of the templates ${MODULE_TEMPLATE_KINDS.join(', ')}`);
  }
}
