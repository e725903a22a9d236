/**
 * The session's model view over IndexedDB (as in the browser): classifier texts are handed to
 * the train worker as stored-text references, and what the worker reads from them is what the
 * page would have read; over the in-memory storage (which no worker can reach) there are none.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDexieStorage } from '../storage/dexie.ts';
import { readStoredTexts } from '../workers/stored-texts.ts';
import { storageRowImporter } from './import-flow.ts';
import { sessionModelView } from './model.svelte.ts';
import { memorySessionDeps } from './session-testing.ts';
import { Session } from './session.svelte.ts';

const csv = [
  'text,label,split',
  'win free money now,spam,train',
  'lunch at noon?,ham,train',
  'free entry in a prize draw,spam,train',
  'see you tomorrow,ham,train',
  'claim your free gift,spam,dev',
  'meeting moved to 3,ham,dev',
  'free free free,spam,test',
  'call me later,ham,test',
].join('\n');

async function opened(s: Session): Promise<void> {
  const outcome = await s.importFiles(
    [new File([csv], 'sms.csv', { type: 'text/csv' })],
    { name: 'sms', labelField: 'label', classes: ['ham', 'spam'], split: { kind: 'column', field: 'split' } },
    { name: 'SMS' },
  );
  if (!outcome.ok) throw new Error(outcome.message);
}

describe('the session model view', () => {
  it('over IndexedDB hands out stored-text references that read the same texts as textsOf', async () => {
    const storage = await openDexieStorage({ name: `model-view-${Math.random()}`, watchTabs: false });
    const { deps } = memorySessionDeps();
    const s = new Session({ ...deps, openStorage: async () => storage, importRows: storageRowImporter(storage) });
    await opened(s);
    const view = sessionModelView(s);
    const train = view.storedTexts('train')!;
    expect(train).toMatchObject({ kind: 'stored-texts', dbName: storage.dexie.name, versionId: view.versionId, field: 'text' });
    expect(await readStoredTexts(storage, train)).toEqual(await view.textsOf('train'));
    expect(await readStoredTexts(storage, view.storedTexts('dev', [1])!)).toEqual(['meeting moved to 3']);
    expect(await readStoredTexts(storage, view.storedTexts('test')!)).toEqual(['free free free', 'call me later']);
  });

  it('over the in-memory storage has none: the texts are read in the page', async () => {
    const { deps } = memorySessionDeps();
    const s = new Session(deps);
    await opened(s);
    const view = sessionModelView(s);
    expect(view.storedTexts('train')).toBeNull();
    expect(await view.textsOf('dev')).toEqual(['claim your free gift', 'meeting moved to 3']);
  });
});
