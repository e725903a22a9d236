/**
 * The project bundle: one JSON file holding what a user would lose with their browser profile —
 * LFs, gold labels, settings and model choices, and optionally the data itself — so a project
 * moves between machines or survives a cleared profile.
 *
 * Gold labels are stored per split as [row within split, class index] pairs, and rows flagged
 * while labelling as {row within split, reason, note} (optional: older files have none), with
 * the split sizes, so a bundle without data can only be applied to a dataset of the same shape
 * (`checkBundleFits`). LF code comes back as plain text: the importer must show it to the user
 * before it runs (it is code from a file, not from this user).
 *
 * Versioned by `schemaVersion`; readers accept this version and refuse newer ones by name.
 */
import type { LfDef } from '../lf/types.ts';
import { ShoalError } from '../types.ts';
import { SPLIT_NAMES, type Split } from '../splits.ts';
import { goldRows } from '../gold-labels.ts';
import type { BundleModels } from './bundle-models.ts';
import { parseBundleBody, type ParsedBundle } from './bundle-schema.ts';

export const BUNDLE_FORMAT = 'shoal-project';
export const BUNDLE_SCHEMA_VERSION = 1;

export interface ModelChoices {
  labelModel: string;
  /** 'dev' | 'uniform' | explicit numbers. */
  classBalance: 'dev' | 'uniform' | number[];
  seed: number;
  metric?: 'acc' | 'f1';
  classifier?: { targets?: 'auto' | 'soft' | 'hard'; maxEpochs?: number };
}

export interface ProjectBundle {
  format: typeof BUNDLE_FORMAT;
  schemaVersion: number;
  exportedAt: string;
  project: { name: string };
  dataset: {
    name: string;
    fields: string[];
    textField: string;
    classes: string[];
    splitCounts: Record<Split, number>;
  };
  settings: Record<string, unknown>;
  lfs: LfDef[];
  gold: Record<Split, [number, number][]>;
  /** Rows flagged while labelling, by position within their split. */
  flags?: Record<Split, BundleFlag[]>;
  model: ModelChoices;
  /** Present when the user chose to include the data: every row with its split. */
  data?: { rows: Record<string, unknown>[]; split: Split[] };
  /** Present when the user chose to include the fitted label model and trained classifier (with the data). */
  models?: BundleModels;
}

export interface BundleFlag {
  row: number;
  reason: string;
  note: string;
}

/** Rows of each split (dataset row numbers, ascending) from a split column (0 train, 1 dev, 2 test). */
function rowsBySplit(split: Uint8Array): number[][] {
  const rowsOf: number[][] = [[], [], []];
  for (let i = 0; i < split.length; i++) rowsOf[split[i]]?.push(i);
  return rowsOf;
}

/** Flags by dataset row as a bundle's per-split flags (row t = the t-th row of its split). */
export function flagsBySplit(flags: readonly BundleFlag[], split: Uint8Array): Record<Split, BundleFlag[]> {
  const place = new Int32Array(split.length);
  const seen = [0, 0, 0];
  for (let i = 0; i < split.length; i++) place[i] = seen[split[i]]++;
  const out: Record<Split, BundleFlag[]> = { train: [], dev: [], test: [] };
  for (const f of [...flags].sort((a, b) => a.row - b.row)) {
    const s = SPLIT_NAMES[split[f.row]];
    if (s) out[s].push({ row: place[f.row], reason: f.reason, note: f.note });
  }
  return out;
}

/** A bundle's flags by dataset row, given the dataset's split column. */
export function flagsForSplits(b: Pick<ProjectBundle, 'flags'>, split: Uint8Array): BundleFlag[] {
  if (!b.flags) return [];
  const rowsOf = rowsBySplit(split);
  const out: BundleFlag[] = [];
  SPLIT_NAMES.forEach((s, code) => {
    for (const f of b.flags?.[s] ?? []) {
      if (f.row >= rowsOf[code].length)
        throw new ShoalError(`this project file flags ${s} row ${f.row}, but the dataset's ${s} split has ${rowsOf[code].length} rows`);
      out.push({ row: rowsOf[code][f.row], reason: f.reason, note: f.note });
    }
  });
  return out;
}

/** Gold as sparse pairs: only rows with a label (>= 0). */
export function sparseGold(gold: ArrayLike<number>): [number, number][] {
  return Array.from(goldRows(gold), (i): [number, number] => [i, gold[i]]);
}

/** Dense gold (-1 = unknown) of `n` rows from sparse pairs. */
export function denseGold(pairs: readonly [number, number][], n: number): Int32Array {
  const out = new Int32Array(n).fill(-1);
  for (const [i, y] of pairs) out[i] = y;
  return out;
}

/**
 * Dataset-order gold (Int8, -1 unknown) from a bundle's per-split pairs and a split column
 * (0 train, 1 dev, 2 test: row t of a split is its t-th row in dataset order). Labels in
 * `base` stay where the bundle has none.
 */
export function goldForSplits(b: Pick<ProjectBundle, 'gold'>, split: Uint8Array, base?: Int8Array): Int8Array {
  const out = base ? base.slice() : new Int8Array(split.length).fill(-1);
  const rowsOf = rowsBySplit(split);
  SPLIT_NAMES.forEach((s, code) => {
    for (const [t, y] of b.gold[s] ?? []) {
      if (t >= rowsOf[code].length)
        throw new ShoalError(
          `this project file has a gold label on ${s} row ${t}, but the dataset's ${s} split has ${rowsOf[code].length} rows`,
        );
      out[rowsOf[code][t]] = y;
    }
  });
  return out;
}

export function writeBundle(b: Omit<ProjectBundle, 'format' | 'schemaVersion'>): string {
  const full: ProjectBundle = { format: BUNDLE_FORMAT, schemaVersion: BUNDLE_SCHEMA_VERSION, ...b };
  return JSON.stringify(full, null, 1) + '\n';
}

function fail(what: string): never {
  throw new ShoalError(`this project file ${what}; export it again from Shoal (Export → Project)`);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parse and validate a bundle (bundle-schema.ts) before anything is stored; every problem is one
 * sentence naming the field (`lfs[2].keywords`) and what to do.
 */
export function readBundle(text: string): ProjectBundle {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ShoalError(`this project file is not valid JSON (${(e as Error).message}); pick the .shoal.json file Shoal exported`);
  }
  if (!isObj(raw) || raw.format !== BUNDLE_FORMAT) fail('is not a Shoal project (its "format" is not "shoal-project")');
  const v = raw.schemaVersion;
  if (typeof v !== 'number' || !Number.isInteger(v)) fail('has no schema version');
  if (v > BUNDLE_SCHEMA_VERSION) {
    throw new ShoalError(
      `this project file has schema version ${v}, newer than this Shoal reads (${BUNDLE_SCHEMA_VERSION}); update the app (reload) and try again`,
    );
  }
  return toBundle(v, parseBundleBody(raw));
}

/** The schema's output as a ProjectBundle, without a cast: the compiler checks that they agree. */
function toBundle(version: number, b: ParsedBundle): ProjectBundle {
  const { model, ...rest } = b;
  const { classifier, ...choices } = model;
  return {
    ...rest,
    format: BUNDLE_FORMAT,
    schemaVersion: version,
    exportedAt: b.exportedAt ?? '',
    // Kept as found: readClassifierSettings reads it field by field and drops what is invalid.
    model: { ...choices, ...(classifier ? { classifier: classifier as ModelChoices['classifier'] } : {}) },
  };
}

/** Why a bundle without data cannot go onto this dataset, or null when it fits. */
export function checkBundleFits(
  b: ProjectBundle,
  target: { classes: readonly string[]; splitCounts: Record<Split, number> },
): string | null {
  if (b.dataset.classes.join('\u0000') !== target.classes.join('\u0000')) {
    return `the project's classes (${b.dataset.classes.join(', ')}) differ from this dataset's (${target.classes.join(', ')})`;
  }
  for (const s of SPLIT_NAMES) {
    if (b.dataset.splitCounts[s] !== target.splitCounts[s]) {
      return `the project's ${s} split has ${b.dataset.splitCounts[s]} rows, this dataset's has ${target.splitCounts[s]}; gold labels would land on the wrong rows`;
    }
  }
  return null;
}

/** The code LFs of a bundle: what the user must review before anything runs. */
export function codeLfsOf(b: ProjectBundle): { name: string; source: string }[] {
  return b.lfs
    .filter((lf): lf is Extract<LfDef, { kind: 'code' }> => lf.kind === 'code')
    .map((lf) => ({ name: lf.name, source: lf.source }));
}
