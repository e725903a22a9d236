/**
 * The LF editor's form as plain data, and its conversion to and from `LfDef`. The form keeps
 * every kind's fields at once, so switching the kind back and forth loses nothing the user
 * typed; `draftToDef` reads only the fields of the chosen kind and reports what is missing.
 */
import type { CompareOp, FieldOp, KeywordMatch, LengthUnit, LfDef } from '../core/lf/types.ts';
import { newId } from '../storage/types.ts';

export type DraftKind = LfDef['kind'];

export interface LfDraft {
  id: string;
  name: string;
  enabled: boolean;
  kind: DraftKind;
  label: string;
  /** '' = the dataset's text. */
  field: string;
  keywords: string;
  mode: 'any' | 'all';
  match: KeywordMatch;
  caseSensitive: boolean;
  pattern: string;
  ignoreCase: boolean;
  multiline: boolean;
  compareField: string;
  op: FieldOp;
  value: string;
  lookup: string;
  lookupMatch: 'value' | 'word';
  unit: LengthUnit;
  lengthOp: CompareOp;
  length: number;
  source: string;
}

export const DEFAULT_SOURCE = `(x) => {
  // x.text, x.<field>; helpers: lower(x), words(x), tokens(x), sentiment(x), people(x)…
  // Return a class name, a class index, or null to abstain.
  return null;
}`;

export function newDraft(classes: readonly string[], kind: DraftKind = 'keyword'): LfDraft {
  return {
    id: newId('lf'),
    name: '',
    enabled: true,
    kind,
    label: classes[0] ?? '',
    field: '',
    keywords: '',
    mode: 'any',
    match: 'word',
    caseSensitive: false,
    pattern: '',
    ignoreCase: true,
    multiline: false,
    compareField: '',
    op: '>',
    value: '',
    lookup: '',
    lookupMatch: 'word',
    unit: 'words',
    lengthOp: '<',
    length: 10,
    source: DEFAULT_SOURCE,
  };
}

export function defToDraft(def: LfDef, classes: readonly string[]): LfDraft {
  const d = newDraft(classes, def.kind);
  d.id = def.id;
  d.name = def.name;
  d.enabled = def.enabled;
  if (def.kind !== 'code') {
    d.label = def.label;
    d.field = def.kind === 'field' ? '' : (def.field ?? '');
  }
  switch (def.kind) {
    case 'keyword':
      d.keywords = def.keywords.join(', ');
      d.mode = def.mode;
      d.match = def.match;
      d.caseSensitive = def.caseSensitive;
      break;
    case 'regex':
      d.pattern = def.pattern;
      d.ignoreCase = def.flags.includes('i');
      d.multiline = def.flags.includes('m');
      break;
    case 'field':
      d.compareField = def.field;
      d.op = def.op;
      d.value = String(def.value);
      d.caseSensitive = def.caseSensitive ?? false;
      break;
    case 'lookup':
      d.lookup = def.values.join('\n');
      d.lookupMatch = def.match;
      d.caseSensitive = def.caseSensitive;
      break;
    case 'length':
      d.unit = def.unit;
      d.lengthOp = def.op;
      d.length = def.value;
      break;
    case 'code':
      d.source = def.source;
      break;
  }
  return d;
}

/** Comma- or newline-separated keywords, trimmed, empty ones dropped, duplicates kept once. */
export function splitList(s: string, byComma: boolean): string[] {
  const parts = s.split(byComma ? /[,\n]/ : /\n/).map((p) => p.trim());
  return [...new Set(parts.filter((p) => p.length > 0))];
}

const NUMERIC_OPS = new Set<FieldOp>(['<', '<=', '>', '>=', '==', '!=']);

/** The LF the form describes, or the one thing the user still has to fill in. */
export function draftToDef(d: LfDraft): { def: LfDef } | { problem: string } {
  const base = { id: d.id, name: d.name.trim() || 'untitled_lf', enabled: d.enabled };
  const field = d.field || undefined;
  if (d.kind !== 'code' && !d.label) return { problem: 'Pick the class this LF votes for.' };
  switch (d.kind) {
    case 'keyword': {
      const keywords = splitList(d.keywords, true);
      if (keywords.length === 0) return { problem: 'Type at least one keyword (comma-separated).' };
      return {
        def: { ...base, kind: 'keyword', label: d.label, field, keywords, mode: d.mode, match: d.match, caseSensitive: d.caseSensitive },
      };
    }
    case 'regex': {
      if (!d.pattern) return { problem: 'Type a regular expression.' };
      try {
        new RegExp(d.pattern, 'u');
      } catch (e) {
        try {
          new RegExp(d.pattern);
        } catch {
          return { problem: `The pattern is not a valid regular expression: ${(e as Error).message}` };
        }
      }
      const flags = `${d.ignoreCase ? 'i' : ''}${d.multiline ? 'm' : ''}`;
      return { def: { ...base, kind: 'regex', label: d.label, field, pattern: d.pattern, flags } };
    }
    case 'field': {
      if (!d.compareField) return { problem: 'Pick the field to compare.' };
      const needsValue = d.op !== 'empty' && d.op !== 'notEmpty';
      if (needsValue && d.value.trim() === '') return { problem: 'Type the value to compare with.' };
      const num = Number(d.value);
      const value = NUMERIC_OPS.has(d.op) && d.value.trim() !== '' && Number.isFinite(num) ? num : d.value;
      return { def: { ...base, kind: 'field', label: d.label, field: d.compareField, op: d.op, value, caseSensitive: d.caseSensitive } };
    }
    case 'lookup': {
      const values = splitList(d.lookup, false);
      if (values.length === 0) return { problem: 'Paste the list, one value per line.' };
      return { def: { ...base, kind: 'lookup', label: d.label, field, values, match: d.lookupMatch, caseSensitive: d.caseSensitive } };
    }
    case 'length': {
      if (!Number.isFinite(d.length) || d.length < 0) return { problem: 'The length must be a number of at least 0.' };
      return { def: { ...base, kind: 'length', label: d.label, field, unit: d.unit, op: d.lengthOp, value: d.length } };
    }
    case 'code':
      if (!d.source.trim()) return { problem: 'Write the function.' };
      return { def: { ...base, kind: 'code', source: d.source } };
  }
}

/** One line saying what an LF does, for the list. */
export function describeLf(lf: LfDef): string {
  const f = (x?: string) => x ?? 'text';
  switch (lf.kind) {
    case 'keyword':
      return `${f(lf.field)} has ${lf.mode} of: ${lf.keywords.join(', ')}`;
    case 'regex':
      return `${f(lf.field)} matches /${lf.pattern}/${lf.flags}`;
    case 'field':
      return `${lf.field} ${lf.op} ${String(lf.value)}`;
    case 'lookup':
      return `${f(lf.field)} ${lf.match === 'value' ? 'is' : 'contains'} one of ${lf.values.length} listed values`;
    case 'length':
      return `${f(lf.field)} length in ${lf.unit} ${lf.op} ${lf.value}`;
    case 'code': {
      const line = lf.source.split('\n').find((l) => l.trim() && !l.trim().startsWith('//')) ?? '';
      return `code: ${line.trim().slice(0, 80)}`;
    }
  }
}
