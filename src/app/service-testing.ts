/**
 * An open dataset version on the in-memory storage twin, for the unit tests of the session's
 * services (gold labels, the LF list, LF votes): a small labelled CSV imported on this thread.
 */
import { createMemoryStorage, type MemoryFaults, type MemoryStorage } from '../storage/memory.ts';
import { importIntoStorage } from '../workers/import-run.ts';
import type { OpenDataset } from './open-dataset.ts';
import { splitIndexOf } from './project.ts';

export const SMALL_CSV = [
  'text,label,split',
  'win free money now,spam,train',
  'lunch at noon?,ham,train',
  'free entry in a prize draw,spam,train',
  'see you tomorrow,,train',
  'claim your free gift,,dev',
  'meeting moved to 3,,dev',
  'free free free,spam,test',
  'call me later,ham,test',
].join('\n');

export interface OpenMemoryDataset {
  storage: MemoryStorage;
  open: OpenDataset;
  /** Whole-dataset gold as stored at import. */
  gold: Int8Array;
}

/** SMALL_CSV imported into a new project of a fresh memory storage (`faults` make writes fail). */
export async function openMemoryDataset(faults?: MemoryFaults): Promise<OpenMemoryDataset> {
  const storage = createMemoryStorage(faults);
  const project = await storage.createProject('p');
  const outcome = await importIntoStorage(
    new File([SMALL_CSV], 'small.csv'),
    { projectId: project.id, labelField: 'label', classes: ['ham', 'spam'], split: { kind: 'column', field: 'split' } },
    storage,
  );
  if (!outcome.ok) throw new Error(outcome.message);
  const ds = (await storage.listDatasets(project.id))[0];
  const version = (await storage.getVersion(ds.currentVersion))!;
  const split = (await storage.getColumn(version.id, 'split'))!;
  const gold = (await storage.getColumn(version.id, 'gold'))!;
  return { storage, open: { storage, projectId: project.id, version, classes: version.classes, splitIndex: splitIndexOf(split) }, gold };
}

/** A quota error as IndexedDB raises it. */
export function quotaError(): DOMException {
  return new DOMException('The quota has been exceeded.', 'QuotaExceededError');
}
