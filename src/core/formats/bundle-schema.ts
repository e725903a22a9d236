/**
 * The schema of a project file (`.shoal.json`, see bundle.ts), written with zod, and the one
 * sentence a user reads when a file does not match it.
 *
 * A project file may come from anyone, so nothing in it is trusted before this check: types,
 * required fields, sizes (string lengths, list lengths, number of LFs and classes, the length of
 * code LF source) and the shape of each LF kind, then the rules that tie fields together (an
 * LF's label is one of the classes, a gold label lies inside its split, the data rows add up to
 * the split sizes, carried models fit the rows, classes and LFs: bundle-models.ts). Only a file
 * that passes is handed to the importer, so an import can never stop half way on a malformed
 * field and leave a half-made project behind.
 *
 * Objects are parsed, not merely checked: unknown keys of LFs and sections are dropped, so what
 * is stored is exactly what the app understands. The data rows are checked to be plain objects
 * but not copied (a file may carry a million of them).
 */
import { errorText } from '../errors.ts';
import { z } from 'zod';
import { ShoalError } from '../types.ts';
import { SPLIT_NAMES } from '../splits.ts';
import { bundleModelsSchema, decodeClassifier, decodeLabelModel, type ModelShape } from './bundle-models.ts';

/** Size limits of a project file. Generous for real projects, small enough to keep the app responsive. */
export const BUNDLE_LIMITS = {
  /** Project, dataset, LF and class names, LF ids, field names. */
  nameChars: 200,
  /** Votes and gold are int8 with -1 for abstain (matrix.ts). */
  classes: 127,
  fields: 1_000,
  lfs: 5_000,
  keywords: 10_000,
  keywordChars: 1_000,
  lookupValues: 200_000,
  lookupValueChars: 1_000,
  patternChars: 10_000,
  /** Code LF source: a function, not a library. */
  codeChars: 100_000,
  fieldValueChars: 10_000,
  dataRows: 10_000_000,
  /** A flagged row's reason and note. */
  flagReasonChars: 100,
  flagNoteChars: 2_000,
} as const;

const L = BUNDLE_LIMITS;

const name = z.string().min(1).max(L.nameChars);
const fieldName = z.string().min(1).max(L.nameChars);
const list = <T extends z.ZodType>(item: T, what: string, max: number, min = 0) =>
  z
    .array(item, { error: `a list of ${what}` })
    .min(min)
    .max(max);
const int = () => z.int({ error: 'a whole number' });
const count = int().min(0).max(L.dataRows);

// A hand-written LF without `enabled` is on, as a new LF in the editor is.
const lfBase = { id: name, name, enabled: z.boolean().default(true) };
const label = z.string().min(1).max(L.nameChars);
const field = fieldName.optional();
const compareOp = z.enum(['<', '<=', '>', '>=', '==', '!=']);

const keywordLf = z.object({
  ...lfBase,
  kind: z.literal('keyword'),
  label,
  field,
  keywords: list(z.string().min(1).max(L.keywordChars), 'keywords (text)', L.keywords, 1),
  mode: z.enum(['any', 'all']),
  match: z.enum(['word', 'token', 'substring']),
  caseSensitive: z.boolean(),
});

const regexLf = z.object({
  ...lfBase,
  kind: z.literal('regex'),
  label,
  field,
  pattern: z.string().min(1).max(L.patternChars),
  flags: z.string().regex(/^[dgimsuvy]{0,8}$/, { error: 'regular expression flags (letters among d, g, i, m, s, u, v, y)' }),
});

const fieldLf = z.object({
  ...lfBase,
  kind: z.literal('field'),
  label,
  field: fieldName,
  op: z.enum(['<', '<=', '>', '>=', '==', '!=', 'contains', 'startsWith', 'endsWith', 'empty', 'notEmpty']),
  value: z.union([z.string().max(L.fieldValueChars), z.number()], { error: 'text or a number' }),
  caseSensitive: z.boolean().optional(),
});

const lookupLf = z.object({
  ...lfBase,
  kind: z.literal('lookup'),
  label,
  field,
  values: list(z.string().max(L.lookupValueChars), 'values (text)', L.lookupValues, 1),
  match: z.enum(['value', 'word']),
  caseSensitive: z.boolean(),
});

const lengthLf = z.object({
  ...lfBase,
  kind: z.literal('length'),
  label,
  field,
  unit: z.enum(['chars', 'words', 'tokens']),
  op: compareOp,
  value: z.number().min(0),
});

const codeLf = z.object({
  ...lfBase,
  kind: z.literal('code'),
  source: z.string().min(1).max(L.codeChars),
});

const lfSchema = z.discriminatedUnion('kind', [keywordLf, regexLf, fieldLf, lookupLf, lengthLf, codeLf]);

const isPair = (v: unknown): v is [number, number] =>
  Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && Number.isSafeInteger(v[1]);
const goldPairs = list(
  z.custom<[number, number]>(isPair, { error: 'a [row, class] pair of whole numbers' }),
  '[row, class] pairs',
  L.dataRows,
).default([]);

// A row flagged while labelling: its place in the split, a short reason, a note.
const flagList = list(
  z.object({
    row: int().min(0).max(L.dataRows),
    reason: z.string().min(1).max(L.flagReasonChars),
    note: z.string().max(L.flagNoteChars).default(''),
  }),
  'flagged rows ({"row", "reason", "note"})',
  L.dataRows,
).default([]);

function isPlainRow(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Everything but format and schema version, which `readBundle` checks first to name a foreign or newer file. */
export const bundleSchema = z
  .object({
    exportedAt: z.string().max(100).optional(),
    project: z.object({ name }),
    dataset: z.object({
      name,
      fields: list(fieldName, 'field names', L.fields),
      textField: fieldName,
      classes: list(z.string().min(1).max(L.nameChars), 'class names', L.classes, 2),
      splitCounts: z.object({ train: count, dev: count, test: count }),
    }),
    // Hints for re-importing the data; a file without them imports with the dataset's fields.
    settings: z
      .looseObject({
        textFields: list(fieldName, 'field names', L.fields).optional(),
        fields: list(fieldName, 'field names', L.fields).optional(),
        idField: fieldName.nullable().optional(),
      })
      .default({}),
    lfs: list(lfSchema, 'LFs', L.lfs),
    gold: z.object({ train: goldPairs, dev: goldPairs, test: goldPairs }),
    // Rows flagged while labelling; files written before flags existed have none.
    flags: z.object({ train: flagList, dev: flagList, test: flagList }).optional(),
    model: z.object({
      labelModel: z.string().min(1).max(50),
      classBalance: z.union([z.enum(['dev', 'uniform']), list(z.number().min(0), 'numbers', L.classes)], {
        error: '"dev", "uniform" or a list of numbers, one per class',
      }),
      seed: int(),
      metric: z.enum(['acc', 'f1']).optional(),
      // Read field by field (model-report.ts readClassifierSettings): an invalid setting falls back to its default.
      classifier: z.looseObject({}).optional(),
    }),
    data: z
      .object({
        rows: list(
          z.custom<Record<string, unknown>>(isPlainRow, { error: 'a row object ({"field": value, …})' }),
          'row objects',
          L.dataRows,
        ),
        split: list(z.enum(SPLIT_NAMES), 'split names (train, dev, test)', L.dataRows),
      })
      .optional(),
    // The fitted label model and trained classifier (bundle-models.ts); only with the data.
    models: bundleModelsSchema.optional(),
  })
  .superRefine((b, ctx) => {
    const k = b.dataset.classes.length;
    const classes = new Set(b.dataset.classes);
    if (classes.size !== k) {
      const dup = b.dataset.classes.find((c, i) => b.dataset.classes.indexOf(c) !== i);
      ctx.addIssue({ code: 'custom', path: ['dataset', 'classes'], message: `must not name a class twice ("${dup}" does)` });
      return;
    }
    // The import reads the data by these names: each must be a field the file lists (the
    // dataset's fields, or the stored columns in settings.fields, which add e.g. the id field).
    const fields = [...new Set([...b.dataset.fields, ...(b.settings.fields ?? [])])];
    const known = new Set(fields);
    const named: [(string | number)[], string | null | undefined][] = [
      [['dataset', 'textField'], b.dataset.textField],
      ...(b.settings.textFields ?? []).map((f, i): [(string | number)[], string] => [['settings', 'textFields', i], f]),
      [['settings', 'idField'], b.settings.idField],
    ];
    for (const [path, f] of named) {
      if (typeof f === 'string' && !known.has(f)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `must be one of the file's fields (${fields.slice(0, 10).join(', ')}${fields.length > 10 ? ', …' : ''}), not "${f}"`,
        });
        return;
      }
    }
    const names = new Map<string, number>();
    b.lfs.forEach((lf, i) => {
      const j = names.get(lf.name);
      if (j !== undefined)
        ctx.addIssue({ code: 'custom', path: ['lfs', i, 'name'], message: `must be unique (LF #${j + 1} is also named "${lf.name}")` });
      names.set(lf.name, i);
      if (lf.kind !== 'code' && !classes.has(lf.label)) {
        ctx.addIssue({
          code: 'custom',
          path: ['lfs', i, 'label'],
          message: `must be one of the project's classes (${b.dataset.classes.join(', ')}), not "${lf.label}"`,
        });
      }
      if (lf.kind === 'regex') {
        try {
          new RegExp(lf.pattern, lf.flags.replace(/[gy]/g, ''));
        } catch (e) {
          ctx.addIssue({
            code: 'custom',
            path: ['lfs', i, 'pattern'],
            message: `must be a valid regular expression (${errorText(e)})`,
          });
        }
      }
    });
    if (Array.isArray(b.model.classBalance) && b.model.classBalance.length !== k) {
      ctx.addIssue({
        code: 'custom',
        path: ['model', 'classBalance'],
        message: `must have one number per class (${k}), not ${b.model.classBalance.length}`,
      });
    }
    for (const s of SPLIT_NAMES) {
      const n = b.dataset.splitCounts[s];
      b.gold[s].forEach(([row, y], i) => {
        if (row < 0 || row >= n || y < 0 || y >= k) {
          ctx.addIssue({
            code: 'custom',
            path: ['gold', s, i],
            message: `must be a [row, class] pair inside the ${s} split's ${n} rows × ${k} classes, not [${row}, ${y}]`,
          });
        }
      });
    }
    for (const s of SPLIT_NAMES) {
      const n = b.dataset.splitCounts[s];
      b.flags?.[s].forEach((f, i) => {
        if (f.row >= n)
          ctx.addIssue({
            code: 'custom',
            path: ['flags', s, i, 'row'],
            message: `must be a row inside the ${s} split's ${n} rows, not ${f.row}`,
          });
      });
    }
    const d = b.data;
    if (d) {
      if (d.rows.length !== d.split.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['data', 'split'],
          message: `must name one split per data row (${d.rows.length} rows), not ${d.split.length}`,
        });
        return;
      }
      const total = SPLIT_NAMES.reduce((t, s) => t + b.dataset.splitCounts[s], 0);
      if (d.rows.length !== total) {
        ctx.addIssue({
          code: 'custom',
          path: ['data', 'rows'],
          message: `must hold as many rows as the split sizes add up to (${total}), not ${d.rows.length}`,
        });
        return;
      }
      const seen = { train: 0, dev: 0, test: 0 };
      for (const s of d.split) seen[s]++;
      for (const s of SPLIT_NAMES) {
        if (seen[s] !== b.dataset.splitCounts[s]) {
          ctx.addIssue({
            code: 'custom',
            path: ['data', 'split'],
            message: `must put ${b.dataset.splitCounts[s]} rows in ${s} as dataset.splitCounts.${s} says, not ${seen[s]}`,
          });
          return;
        }
      }
    }
    const m = b.models;
    if (m && (m.labelModel || m.classifier)) {
      // Probabilities belong to rows: without the rows there is nothing to attach them to.
      if (!d) {
        ctx.addIssue({
          code: 'custom',
          path: ['models'],
          message: 'must come with the data (a "data" section); export the project again with the data included',
        });
        return;
      }
      const shape: ModelShape = {
        k,
        rows: d.rows.length,
        dev: b.dataset.splitCounts.dev,
        test: b.dataset.splitCounts.test,
        lfNames: new Set(b.lfs.map((l) => l.name)),
      };
      const problems = [
        m.labelModel && decodeLabelModel(m.labelModel, shape),
        m.classifier && decodeClassifier(m.classifier, shape, b.dataset.classes),
      ];
      for (const p of problems) if (p && 'message' in p) ctx.addIssue({ code: 'custom', path: ['models', ...p.path], message: p.message });
    }
  });

export type ParsedBundle = z.output<typeof bundleSchema>;

/** `lfs[2].keywords`, `gold.dev[0]`, `["odd key"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && /^[A-Za-z_$][\w$]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out || 'the file';
}

function at(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const p of path) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, p)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** What a JSON value is, in words. */
function kindOf(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'string':
      return 'text';
    case 'number':
      return Number.isInteger(v) ? 'a whole number' : 'a number';
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return 'an object';
  }
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  tuple: 'a list',
};

function quoteValues(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

function short(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'number' ? String(v) : kindOf(v);
  return s.length > 60 ? `${s.slice(0, 57)}…"` : s;
}

/** What a field must be, for one zod issue ("text", "one of "any", "all"", "at most 200 characters long"). */
function expectation(issue: z.core.$ZodIssue): string {
  // A schema-specific wording ("a list of keywords (text)") replaces zod's generic "Invalid …".
  const own = issue.message.startsWith('Invalid') || issue.message.startsWith('Too') ? null : issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return own ?? EXPECTED[issue.expected] ?? issue.expected;
    case 'invalid_value':
      return issue.values.length === 1 ? quoteValues(issue.values) : `one of ${quoteValues(issue.values)}`;
    case 'invalid_union': {
      // A discriminated union (the LF kinds) names its options on the issue.
      const options = (issue as { options?: unknown }).options;
      return Array.isArray(options) ? `one of ${quoteValues(options)}` : (own ?? 'a valid value');
    }
    default:
      return own ?? 'a valid value';
  }
}

/** "must be …" for one zod issue about a field that is present. */
function requirement(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'too_big': {
      const max = Number(issue.maximum).toLocaleString('en-US');
      if (issue.origin === 'string' && typeof value === 'string')
        return `must be at most ${max} characters long (it has ${value.length.toLocaleString('en-US')})`;
      if (issue.origin === 'array' && Array.isArray(value))
        return `must have at most ${max} entries (it has ${value.length.toLocaleString('en-US')})`;
      return `must be at most ${max}, not ${short(value)}`;
    }
    case 'too_small': {
      const min = Number(issue.minimum).toLocaleString('en-US');
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : `must be at least ${min} characters long`;
      if (issue.origin === 'array' && Array.isArray(value))
        return `must have at least ${min} ${issue.minimum === 1 ? 'entry' : 'entries'} (it has ${value.length})`;
      return `must be at least ${min}, not ${short(value)}`;
    }
    case 'custom':
      return issue.message.startsWith('must') ? issue.message : `must be ${issue.message}, not ${short(value)}`;
    case 'invalid_type':
      // The wrong kind of value: say which kind ("not text"), not the value.
      return `must be ${expectation(issue)}, not ${kindOf(value)}`;
    default:
      return `must be ${expectation(issue)}, not ${short(value)}`;
  }
}

/**
 * The one sentence for a file that fails the schema: the first problem, its field as a path
 * (`lfs[2].keywords`, with the LF's name when it has one) and what to do about it.
 */
export function bundleIssueSentence(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = issue.path;
  const value = at(raw, path);
  let where = formatPath(path);
  if (path[0] === 'lfs' && typeof path[1] === 'number') {
    const n = at(raw, ['lfs', path[1], 'name']);
    if (typeof n === 'string' && n && path[2] !== 'name') where += ` (LF "${n.length > 60 ? `${n.slice(0, 59)}…` : n}")`;
  }
  const again = 'export the project again from Shoal (Export → Project)';
  if (value === undefined && path.length > 0)
    return `this project file has no ${where}, which must be ${expectation(issue)}; add it, or ${again}`;
  return `this project file's ${where} ${requirement(issue, value)}; fix that field in the file, or ${again}`;
}

/** Validate a parsed JSON value (format and version already checked); throws one ShoalError sentence. */
export function parseBundleBody(raw: unknown): ParsedBundle {
  const r = bundleSchema.safeParse(raw);
  if (r.success) return r.data;
  throw new ShoalError(bundleIssueSentence(r.error.issues[0], raw));
}
