/**
 * Storing a validated project bundle (core/formats/bundle.ts): free of Svelte and of the
 * browser, so it runs on the in-memory storage twin in unit tests; a bundle with data goes
 * through the one import flow (import-flow.ts).
 *
 * Both paths are all or nothing. A bundle with data becomes a new project whose record is
 * deleted again if anything after its creation fails; a bundle without data goes into the open
 * project in one transaction.
 */
import { type ProjectBundle, flagsForSplits, goldForSplits } from '../core/formats/bundle.ts';
import {
  type BundleModels,
  type ModelIssue,
  type ModelShape,
  classifierSchema,
  decodeClassifier,
  decodeLabelModel,
  encodeClassifierArrays,
  encodeFloat32,
  labelModelSchema,
} from '../core/formats/bundle-models.ts';
import { formatPath } from '../core/formats/bundle-schema.ts';
import { lfHash } from '../core/lf/hash.ts';
import type { LfDef } from '../core/lf/types.ts';
import { ShoalError } from '../core/types.ts';
import {
  newId,
  type ClassifierRecord,
  type FlagRecord,
  type LfRecord,
  type ModelOrigin,
  type RunRecord,
  type ShoalStorage,
} from '../storage/types.ts';
import type { ImportFlow, NewProjectImport } from './import-flow.ts';
import { CLASSIFIER_SETTINGS, readClassifierSettings } from './model-report.ts';
import { lfToRecord, toJsonl, uniqueLfName, withNewId } from './project.ts';

/** The bundle's split names travel in this column through the import pipeline. */
const SPLIT_COLUMN = '__shoal_split';
/** Per-project setting key of the model choices. */
export const MODEL_SETTING = 'modelChoices';

/**
 * A bundle that carries its data, as a new project for the import flow (import-flow.ts): rows
 * through the import pipeline, then LFs, gold and settings in one transaction, then its models.
 * The flow deletes the project again if anything after its creation fails (the rows, a full
 * disk, a bug), so the project list never gains an empty or half-made entry.
 */
export function bundleProjectImport(b: ProjectBundle, fileName = `${b.dataset.name}.shoal.json`): NewProjectImport {
  const data = b.data;
  if (!data)
    throw new ShoalError(
      'this project file has no data to make a new project from; open its dataset first, then import the project into it',
    );
  const lines = data.rows.map((r, i) => ({ ...r, [SPLIT_COLUMN]: data.split[i] }));
  // Parsed as JSONL whatever its name (the request says so); named after the project file.
  const file = new File([toJsonl(lines)], fileName, { type: 'application/x-ndjson' });
  const settings = b.settings as { textFields?: string[]; fields?: string[]; idField?: string | null };
  let lfs: LfRecord[] = [];
  return {
    name: b.project.name,
    files: file,
    label: `Importing ${b.project.name}`,
    request: {
      name: b.dataset.name,
      format: 'jsonl',
      textFields: settings.textFields?.length ? settings.textFields : [b.dataset.textField],
      fields: settings.fields ?? b.dataset.fields,
      ...(settings.idField ? { idField: settings.idField } : {}),
      labelField: null,
      classes: b.dataset.classes,
      split: { kind: 'column', field: SPLIT_COLUMN },
    },
    parts: async (storage, project, versionId) => {
      const split = (await storage.getColumn(versionId, 'split')) as Uint8Array;
      lfs = b.lfs.map((def, order) => lfToRecord(withNewId(def), project.id, order, b.dataset.classes));
      return {
        gold: { versionId, gold: goldForSplits(b, split) },
        flags: flagRecords(b, split, versionId, project.id),
        lfs,
        settings: bundleSettings(b, project.id),
      };
    },
    after: async (storage, project, versionId) => {
      if (b.models)
        await storeModels(storage, b, b.models, {
          projectId: project.id,
          versionId,
          lfs,
          origin: { file: fileName, exportedAt: b.exportedAt },
        });
    },
  };
}

/** Store a bundle with data as a new project through `flow`; resolves to its id, rejects with why nothing was stored. */
export async function storeNewProject(flow: ImportFlow, b: ProjectBundle, fileName?: string): Promise<string> {
  const outcome = await flow.intoNewProject(bundleProjectImport(b, fileName));
  if (!outcome.ok) throw new ShoalError(outcome.message);
  return outcome.projectId;
}

/** The open project a bundle without data goes into (its classes and split sizes already checked). */
export interface OpenTarget {
  projectId: string;
  versionId: string;
  /** Split code per dataset row. */
  split: Uint8Array;
  /** Current gold per dataset row (-1 = none); the bundle's labels overwrite these. */
  gold: Int8Array;
  classes: readonly string[];
  lfCount: number;
  takenNames: readonly string[];
}

/** The bundle's LFs beside the open project's (names made unique), its gold and settings: one transaction. */
export async function storeIntoProject(storage: ShoalStorage, b: ProjectBundle, t: OpenTarget): Promise<void> {
  const taken = [...t.takenNames];
  const lfs = b.lfs.map((def, i) => {
    const name = uniqueLfName(def.name, taken);
    taken.push(name);
    return lfToRecord(withNewId(def, name), t.projectId, t.lfCount + i, t.classes);
  });
  await storage.putProjectParts({
    gold: { versionId: t.versionId, gold: goldForSplits(b, t.split, t.gold) },
    flags: flagRecords(b, t.split, t.versionId, t.projectId),
    lfs,
    settings: bundleSettings(b, t.projectId),
  });
}

/**
 * The file's label model and classifier as stored records of the new dataset version, marked
 * with the file they came from. Their LF hashes are those of the LFs just stored (by name), so
 * the Model screen restores them instead of refitting while the LFs are unchanged.
 */
async function storeModels(
  storage: ShoalStorage,
  b: ProjectBundle,
  m: BundleModels,
  t: { projectId: string; versionId: string; lfs: readonly LfRecord[]; origin: ModelOrigin },
): Promise<void> {
  const k = b.dataset.classes.length;
  const shape: ModelShape = {
    k,
    rows: b.data?.rows.length ?? 0,
    dev: b.dataset.splitCounts.dev,
    test: b.dataset.splitCounts.test,
    lfNames: new Set(b.lfs.map((l) => l.name)),
  };
  const hashByName = new Map(t.lfs.map((r) => [r.name, r.sourceHash]));
  const hashes = (names: readonly string[]): string[] => names.map((n) => hashByName.get(n) ?? n);
  const fail = (p: ModelIssue): never => {
    throw new ShoalError(`this project file's ${formatPath(['models', ...p.path])} ${p.message}`);
  };
  let runId: string | null = null;
  if (m.labelModel) {
    const lm = m.labelModel;
    const decoded = decodeLabelModel(lm, shape);
    if ('message' in decoded) fail(decoded);
    else {
      runId = newId('run');
      const run: RunRecord = {
        id: runId,
        projectId: t.projectId,
        versionId: t.versionId,
        model: lm.model,
        params: { summary: lm.summary, classBalance: lm.classBalance, balanceMode: lm.balanceMode, seed: lm.seed, backend: lm.backend },
        lfHashes: hashes(lm.lfNames),
        metrics: lm.metrics,
        k,
        n: shape.rows,
        createdAt: lm.fittedAt,
        origin: t.origin,
      };
      await storage.putRun(run, decoded.probs);
    }
  }
  if (m.classifier) {
    const c = m.classifier;
    const decoded = decodeClassifier(c, shape, b.dataset.classes);
    if ('message' in decoded) fail(decoded);
    else {
      const record: ClassifierRecord = {
        id: newId('clf'),
        projectId: t.projectId,
        versionId: t.versionId,
        // Trained on a label model the file does not carry: shown as trained on an earlier one.
        runId: c.onFileLabelModel && runId ? runId : 'not-in-the-project-file',
        lfHashes: hashes(c.lfNames),
        labelModel: c.labelModel,
        settings: c.settings,
        metrics: c.metrics,
        curve: c.curve,
        bestEpoch: c.bestEpoch,
        targets: c.targets,
        trainRows: c.trainRows,
        ...(c.sampleNote ? { sampleNote: c.sampleNote } : {}),
        backend: c.backend,
        ms: c.ms,
        k,
        createdAt: c.trainedAt,
        origin: t.origin,
      };
      await storage.putClassifier(record, decoded);
    }
  }
}

/** Which stored fit and classifier to put in a project file, and the LFs they name. */
export interface ModelSource {
  projectId: string;
  versionId: string;
  lfs: readonly LfDef[];
  classes: readonly string[];
  /** The label-model run on screen, when it matches the current LFs. */
  runId: string | null;
  /** The classifier on screen. */
  classifierId: string | null;
}

/**
 * The `models` section for a project file from what storage holds, and what had to be left out
 * (as phrases for the export message): a fit or classifier over LFs that no longer exist
 * cannot be named in the file.
 */
export async function collectModels(storage: ShoalStorage, src: ModelSource): Promise<{ models: BundleModels; left: string[] }> {
  const nameByHash = new Map(src.lfs.map((def) => [lfHash(def, src.classes), def.name]));
  const namesOf = (hashes: readonly string[]): string[] | null => {
    const out = hashes.map((h) => nameByHash.get(h));
    return out.every((n): n is string => n !== undefined) ? out : null;
  };
  const models: BundleModels = {};
  const left: string[] = [];
  const run = src.runId
    ? (await storage.listRuns(src.projectId)).find((r) => r.id === src.runId && r.versionId === src.versionId)
    : undefined;
  const probs = run && (await storage.getRunProbs(run.id));
  if (src.runId && !(run && probs)) left.push('the label model (its fit is not stored)');
  if (run && probs) {
    const lfNames = namesOf(run.lfHashes);
    const p = run.params as { summary?: unknown; classBalance?: unknown; balanceMode?: unknown; seed?: unknown; backend?: unknown };
    const lm = labelModelSchema.safeParse({
      model: run.model,
      summary: p.summary,
      classBalance: p.classBalance ?? null,
      balanceMode: p.balanceMode,
      seed: p.seed,
      backend: p.backend ?? '',
      lfNames,
      metrics: run.metrics,
      fittedAt: run.createdAt,
      probs: encodeFloat32(probs),
    });
    if (lfNames && lm.success) models.labelModel = lm.data;
    else left.push('the label model (fitted on LFs that changed since)');
  }
  const rec = src.classifierId ? await storage.latestClassifier(src.versionId) : undefined;
  const stored = rec && rec.id === src.classifierId ? await storage.getClassifierModel(rec.id) : undefined;
  if (src.classifierId && !(rec && stored)) left.push('the classifier (it is not stored)');
  if (rec && stored) {
    const lfNames = namesOf(rec.lfHashes);
    const c = lfNames
      ? classifierSchema.safeParse({
          lfNames,
          onFileLabelModel: models.labelModel !== undefined && rec.runId === run?.id,
          labelModel: rec.labelModel,
          settings: rec.settings,
          metrics: rec.metrics,
          curve: rec.curve,
          bestEpoch: rec.bestEpoch,
          targets: rec.targets,
          trainRows: rec.trainRows,
          ...(rec.sampleNote ? { sampleNote: rec.sampleNote } : {}),
          backend: rec.backend,
          ms: rec.ms,
          trainedAt: rec.createdAt,
          ...encodeClassifierArrays(stored.classifier, stored.proba),
        })
      : null;
    if (c?.success) models.classifier = c.data;
    else left.push('the classifier (trained on LFs that changed since)');
  }
  return { models, left };
}

/** The bundle's flags as records of a dataset version (each replaces a flag on the same row). */
function flagRecords(b: ProjectBundle, split: Uint8Array, versionId: string, projectId: string): FlagRecord[] {
  const now = Date.now();
  return flagsForSplits(b, split).map((f) => ({
    versionId,
    projectId,
    row: f.row,
    reason: f.reason,
    note: f.note,
    createdAt: now,
    updatedAt: now,
  }));
}

/** The model choices, and the classifier settings the Model screen reads when the project opens. */
function bundleSettings(b: ProjectBundle, projectId: string): { key: string; value: unknown; projectId: string }[] {
  return [
    { key: MODEL_SETTING, value: b.model, projectId },
    { key: CLASSIFIER_SETTINGS, value: readClassifierSettings(b.model.classifier), projectId },
  ];
}
