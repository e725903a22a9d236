/**
 * The one way data becomes a new project — used by the import screen, the demo and project-file
 * import alike: create the project, import the rows into it while holding the project's
 * cross-tab lock (project-catalog.ts), store what goes with the rows (the about text, starter or
 * bundled LFs, gold, settings) in one transaction, and delete the project again if anything
 * fails, so the project list never gains an empty or half-made entry. Opening the project is
 * the session's part.
 *
 * Free of Svelte and of the browser: the row importer (the import worker in the page,
 * `storageRowImporter` in Node) and the job runner are handed in.
 */
import { ShoalError } from '../core/types.ts';
import type { ProjectParts, ProjectRecord, ShoalStorage } from '../storage/types.ts';
import { importIntoStorage, type ImportOutcome, type ImportProgress, type ImportRequest } from '../workers/import-run.ts';
import { startImport } from './import.ts';
import type { ProjectCatalog } from './project-catalog.ts';

/** What the project says about its data (shown on the Data screen). */
export interface About {
  description: string;
  source: 'demo' | 'import';
  /** Attribution to show beside the data (licence, where it came from). */
  attribution?: { text: string; links: { label: string; href: string }[] };
}

export interface RowImportHooks {
  signal: AbortSignal;
  onProgress: (p: ImportProgress) => void;
}

/** Imports rows into the storage; settles with the outcome, never rejects for bad input, cancel or a full disk. */
export type RowImporter = (files: File | File[], request: ImportRequest, hooks: RowImportHooks) => Promise<ImportOutcome>;

/** The page's importer: the import worker (import.ts), cancelled through the signal. */
export function workerRowImporter(): RowImporter {
  return (files, request, { signal, onProgress }) => {
    const job = startImport(files, request, { onProgress });
    if (signal.aborted) job.cancel();
    else signal.addEventListener('abort', () => job.cancel(), { once: true });
    return job.done;
  };
}

/** An importer on this thread straight into `storage` (Node: tests, CLI). */
export function storageRowImporter(storage: ShoalStorage): RowImporter {
  return (files, request, { signal, onProgress }) => importIntoStorage(files, request, storage, onProgress, signal);
}

/** What the services need of the job registry (jobs.svelte.ts); `owner` lets a service find its own jobs. */
export interface JobRunner {
  run<T>(
    label: string,
    work: (signal: AbortSignal, report: (progress: number | null, message?: string) => void) => Promise<T>,
    opts?: { owner?: object | symbol | string },
  ): Promise<T>;
}

export interface NewProjectImport {
  /** The new project's name. */
  name: string;
  files: File | File[];
  /** The import request, less the project (the flow creates it). */
  request: Omit<ImportRequest, 'projectId'>;
  /** The job's label, also the start of its progress message (e.g. "Importing sms.csv"). */
  label: string;
  about?: About;
  /**
   * What is stored with the rows once they committed, with `about`, in one transaction: the
   * demo's starter LFs, a project file's LFs, gold and settings.
   */
  parts?: (storage: ShoalStorage, project: ProjectRecord, versionId: string) => Promise<ProjectParts> | ProjectParts;
  /** Writes after the parts (a project file's trained models); a failure deletes the project too. */
  after?: (storage: ShoalStorage, project: ProjectRecord, versionId: string) => Promise<void>;
  /** Cancels the import (a screen's own cancel button; the job list's cancels it too). */
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
}

export type NewProjectOutcome =
  | { ok: true; projectId: string; versionId: string }
  /** Nothing was stored; `message` names the file and why (`cancelled`: the user stopped it). */
  | { ok: false; cancelled: boolean; message: string };

export class ImportFlow {
  constructor(
    private readonly catalog: ProjectCatalog,
    private readonly importRows: RowImporter,
    private readonly jobs: JobRunner,
  ) {}

  /**
   * Import `plan` into a new project. Resolves to the project, or to why nothing was stored when
   * the rows did not import; rejects (having deleted the project) when storing what goes with
   * them failed, or the project could not even be created.
   */
  async intoNewProject(plan: NewProjectImport): Promise<NewProjectOutcome> {
    const storage = this.catalog.storage;
    return this.catalog.withNewProject(plan.name, async (project) => {
      try {
        const outcome = await this.jobs.run(
          plan.label,
          (signal, report) =>
            this.importRows(
              plan.files,
              { ...plan.request, projectId: project.id },
              {
                signal: plan.signal ? AbortSignal.any([signal, plan.signal]) : signal,
                onProgress: (p) => {
                  report(
                    p.totalBytes ? Math.min(1, p.bytesRead / p.totalBytes) : null,
                    `${plan.label}: ${p.rows.toLocaleString('en-US')} rows`,
                  );
                  plan.onProgress?.(p);
                },
              },
            ),
          { owner: this },
        );
        if (!outcome.ok) {
          await storage.deleteProject(project.id);
          return { ok: false, cancelled: outcome.error.code === 'cancelled', message: outcome.message };
        }
        const ds = (await storage.listDatasets(project.id))[0];
        if (!ds) throw new ShoalError(`the import into project "${project.name}" committed no dataset; try again`);
        const versionId = ds.currentVersion;
        const parts = plan.parts ? await plan.parts(storage, project, versionId) : { lfs: [], settings: [] };
        const settings = plan.about ? [...parts.settings, { key: 'about', value: plan.about, projectId: project.id }] : parts.settings;
        if (parts.gold || parts.lfs.length > 0 || settings.length > 0) await storage.putProjectParts({ ...parts, settings });
        await plan.after?.(storage, project, versionId);
        return { ok: true, projectId: project.id, versionId };
      } catch (e) {
        await storage.deleteProject(project.id).catch(() => undefined);
        throw e;
      }
    });
  }
}
