/**
 * Storing a validated project bundle (core/formats/bundle.ts): free of Svelte and of the
 * browser, so it runs on the in-memory storage twin in unit tests, with the import pipeline
 * passed in (the import worker in the page, `importIntoStorage` in tests).
 *
 * Both paths are all or nothing. A bundle with data becomes a new project whose record is
 * deleted again if anything after its creation fails; a bundle without data goes into the open
 * project in one transaction.
 */
import { type ProjectBundle, goldForSplits } from '../core/formats/bundle.ts';
import { ShoalError } from '../core/types.ts';
import type { ProjectRecord, ShoalStorage } from '../storage/types.ts';
import type { ImportOutcome, ImportRequest } from '../workers/import-run.ts';
import { CLASSIFIER_SETTINGS, readClassifierSettings } from './model-report.ts';
import { lfToRecord, toJsonl, uniqueLfName, withNewId } from './project.ts';

/** The bundle's split names travel in this column through the import pipeline. */
const SPLIT_COLUMN = '__shoal_split';
/** Per-project setting key of the model choices. */
export const MODEL_SETTING = 'modelChoices';

/** Runs the import pipeline on the rows of a bundle. */
export type RowImporter = (file: File, request: ImportRequest) => Promise<ImportOutcome>;

/**
 * A bundle that carries its data, stored as a new project: rows through the import pipeline,
 * then LFs, gold and settings in one transaction. Whatever fails after the project record
 * exists (the rows, a full disk, a bug) deletes the project again, so the project list never
 * gains an empty or half-made entry. Resolves to the new project's id.
 */
export async function storeNewProject(storage: ShoalStorage, b: ProjectBundle, importRows: RowImporter, options: NewProjectOptions = {}): Promise<string> {
  const data = b.data;
  if (!data) throw new ShoalError('this project file has no data to make a new project from; open its dataset first, then import the project into it');
  const create = options.create ?? (async (name, fill) => fill(await storage.createProject(name)));
  return create(b.project.name, (project) => fill(storage, b, data, project, importRows, options.fileName ?? `${b.dataset.name}.shoal.json`));
}

export interface NewProjectOptions {
  /** The project file's name: the dataset's source in the project list, and the file named in import errors. */
  fileName?: string;
  /** Creates the project and fills it (the page holds a Web Lock meanwhile, session.svelte.ts withNewProject). */
  create?: <T>(name: string, fill: (p: ProjectRecord) => Promise<T>) => Promise<T>;
}

async function fill(storage: ShoalStorage, b: ProjectBundle, data: NonNullable<ProjectBundle['data']>, project: ProjectRecord, importRows: RowImporter, fileName: string): Promise<string> {
  try {
    const lines = data.rows.map((r, i) => ({ ...r, [SPLIT_COLUMN]: data.split[i] }));
    // Parsed as JSONL whatever its name (the request says so); named after the project file.
    const file = new File([toJsonl(lines)], fileName, { type: 'application/x-ndjson' });
    const settings = b.settings as { textFields?: string[]; fields?: string[]; idField?: string | null };
    const outcome = await importRows(file, {
      projectId: project.id,
      name: b.dataset.name,
      format: 'jsonl',
      textFields: settings.textFields?.length ? settings.textFields : [b.dataset.textField],
      fields: settings.fields ?? b.dataset.fields,
      ...(settings.idField ? { idField: settings.idField } : {}),
      labelField: null,
      classes: b.dataset.classes,
      split: { kind: 'column', field: SPLIT_COLUMN },
    });
    if (!outcome.ok) throw new ShoalError(outcome.message);
    const ds = (await storage.listDatasets(project.id))[0];
    const split = (await storage.getColumn(ds.currentVersion, 'split')) as Uint8Array;
    const lfs = b.lfs.map((def, order) => lfToRecord(withNewId(def), project.id, order, b.dataset.classes));
    await storage.putProjectParts({ gold: { versionId: ds.currentVersion, gold: goldForSplits(b, split) }, lfs, settings: bundleSettings(b, project.id) });
    return project.id;
  } catch (e) {
    await storage.deleteProject(project.id).catch(() => undefined);
    throw e;
  }
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
  await storage.putProjectParts({ gold: { versionId: t.versionId, gold: goldForSplits(b, t.split, t.gold) }, lfs, settings: bundleSettings(b, t.projectId) });
}

/** The model choices, and the classifier settings the Model screen reads when the project opens. */
function bundleSettings(b: ProjectBundle, projectId: string): { key: string; value: unknown; projectId: string }[] {
  return [
    { key: MODEL_SETTING, value: b.model, projectId },
    { key: CLASSIFIER_SETTINGS, value: readClassifierSettings(b.model.classifier), projectId },
  ];
}
