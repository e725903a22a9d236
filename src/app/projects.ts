/**
 * The project list: what tells projects apart (rows, the file the data came from, created and
 * last modified) and the rule for a project's name. Free of Svelte and of the browser, so it
 * runs on the in-memory storage twin in unit tests.
 */
import { ShoalError } from '../core/types.ts';
import type { ShoalStorage } from '../storage/types.ts';

export const PROJECT_NAME_MAX = 200;

export interface ProjectSummary {
  id: string;
  name: string;
  createdAt: number;
  /** The last change a user made (storage keeps it on every such write). */
  modifiedAt: number;
  /** Rows of the current dataset version; null while a project has no data. */
  rows: number | null;
  /** The file(s) the current data came from, e.g. "sms.tsv" or "sms.shoal.json". */
  source: string | null;
}

/** Every project, oldest first, with its data's size and source, read fresh from storage. */
export async function projectSummaries(storage: ShoalStorage): Promise<ProjectSummary[]> {
  const out: ProjectSummary[] = [];
  for (const p of await storage.listProjects()) {
    const ds = (await storage.listDatasets(p.id)).at(-1);
    const v = ds ? await storage.getVersion(ds.currentVersion) : undefined;
    out.push({
      id: p.id,
      name: p.name,
      createdAt: p.createdAt,
      modifiedAt: Math.max(p.updatedAt, p.createdAt),
      rows: v ? v.rowCount : null,
      source: v && v.source.fileNames.length ? v.source.fileNames.join(', ') : null,
    });
  }
  return out;
}

/** The name to store for what the user typed: trimmed, inner whitespace runs made one space. */
export function cleanProjectName(typed: string): string {
  const name = typed.replace(/\s+/g, ' ').trim();
  if (!name) throw new ShoalError('type a name for the project');
  if (name.length > PROJECT_NAME_MAX)
    throw new ShoalError(`a project name can have at most ${PROJECT_NAME_MAX} characters (this one has ${name.length}); shorten it`);
  return name;
}

/** Rename a project; resolves to the stored name. */
export async function renameProject(storage: ShoalStorage, id: string, typed: string): Promise<string> {
  const name = cleanProjectName(typed);
  await storage.renameProject(id, name);
  return name;
}
