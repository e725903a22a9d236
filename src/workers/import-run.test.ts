import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { openDexieStorage } from '../storage/dexie.ts';
import { createMemoryStorage, type MemoryFaults } from '../storage/memory.ts';
import type { ShoalStorage } from '../storage/types.ts';
import { importIntoStorage, splitFromFileName, type ImportFile, type ImportProgress } from './import-run.ts';

const file = (name: string, body: string | ArrayBuffer): ImportFile => ({ name, blob: new Blob([body]) });

function csv(n: number, label: (i: number) => string = (i) => (i % 2 ? 'spam' : 'ham')): string {
  const lines = ['id,text,label,score'];
  for (let i = 0; i < n; i++) lines.push(`${i},"message ${i}, with comma",${label(i)},${i / 10}`);
  return lines.join('\n') + '\n';
}

async function setup(faults?: MemoryFaults): Promise<{ s: ShoalStorage; projectId: string }> {
  const s = createMemoryStorage(faults);
  const p = await s.createProject('P');
  return { s, projectId: p.id };
}

/** Nothing of a failed import may remain: no dataset, no pending version, no rows. */
async function expectNothingStored(s: ShoalStorage, projectId: string): Promise<void> {
  expect(await s.listDatasets(projectId)).toEqual([]);
  expect(await s.cleanupPending()).toBe(0);
}

describe('importIntoStorage', () => {
  it('imports a CSV in chunks with gold labels, a seeded split and column kinds', async () => {
    const { s, projectId } = await setup();
    const progress: ImportProgress[] = [];
    const out = await importIntoStorage(
      file('mail.csv', csv(2500)),
      { projectId, classes: ['ham', 'spam'], idField: 'id', split: { kind: 'random', fractions: [0.8, 0.1, 0.1], seed: 3 } },
      s,
      (p) => progress.push(p),
    );
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    const sum = out.summary;
    expect(sum).toMatchObject({
      name: 'mail',
      format: 'csv',
      rows: 2500,
      skipped: 0,
      classes: ['ham', 'spam'],
      splitCounts: { train: 2000, dev: 250, test: 250 },
      labeled: 2500,
    });
    const v = (await s.getVersion(sum.versionId))!;
    expect(v.chunkCount).toBe(3);
    expect(v.columns).toEqual([
      { name: 'text', kind: 'string' },
      { name: 'id', kind: 'string' },
      { name: 'score', kind: 'string' },
    ]);
    // The gold column is stored as gold labels only: no row, and so no LF, carries it.
    expect(v).toMatchObject({ labelField: 'label', fields: ['text', 'id', 'score'] });
    expect(v.lfsReadGold).toBeUndefined();
    const rows = await s.readRows(sum.versionId, 1999, 2001);
    expect(rows).toEqual([
      { text: 'message 1999, with comma', id: '1999', score: '199.9' },
      { text: 'message 2000, with comma', id: '2000', score: '200' },
    ]);
    const gold = (await s.getColumn(sum.versionId, 'gold'))!;
    expect(gold[0]).toBe(0);
    expect(gold[1]).toBe(1);
    expect((await s.getColumn(sum.versionId, 'ids'))!.length).toBe(2500);
    expect(progress.at(-1)).toMatchObject({ phase: 'committing', rows: 2500 });
    expect(progress.every((p, i) => i === 0 || p.bytesRead >= progress[i - 1].bytesRead)).toBe(true);
    // The same seed gives the same split.
    const again = await importIntoStorage(
      file('mail.csv', csv(2500)),
      { projectId, classes: ['ham', 'spam'], split: { kind: 'random', fractions: [0.8, 0.1, 0.1], seed: 3 } },
      s,
    );
    expect(again.ok && Array.from((await s.getColumn(again.summary.versionId, 'split'))!)).toEqual(
      Array.from((await s.getColumn(sum.versionId, 'split'))!),
    );
  });

  it('stores nothing when a row is bad, and skips it when asked', async () => {
    const { s, projectId } = await setup();
    const text = csv(1500).replace('\n700,', '\n700,"broken,');
    const strict = await importIntoStorage(file('bad.csv', text), { projectId }, s);
    expect(strict.ok).toBe(false);
    if (!strict.ok) expect(strict.message).toMatch(/^bad\.csv, row 701 \(line 702\): has text after the closing quote/);
    await expectNothingStored(s, projectId);

    const ragged = csv(1500).replace('\n1200,"message 1200, with comma",ham,120\n', '\n1200,x\n');
    const lenient = await importIntoStorage(file('r.csv', ragged), { projectId, skipBadRows: true }, s);
    expect(lenient.ok && lenient.summary).toMatchObject({ rows: 1499, skipped: 1 });
    expect(lenient.ok && lenient.summary.notes).toContain('1 row was skipped as unreadable.');
    expect(lenient.ok && lenient.summary.notes).toContain('r.csv, row 1201 (line 1202): has 2 fields but the header has 4');
    expect(lenient.ok && lenient.summary.issues[0]).toMatchObject({ file: 'r.csv', code: 'ragged', row: 1201, line: 1202 });
    // The stray quote of the strict case costs its own line only: every other row is imported.
    const stray = await importIntoStorage(file('bad.csv', text), { projectId, skipBadRows: true }, s);
    expect(stray.ok && stray.summary).toMatchObject({ rows: 1499, skipped: 1 });
    // 20 bad rows of 1500 is more than 1%: refused in one sentence, nothing stored.
    const many = csv(1500).replace(/\n(1\d[05]),/g, '\n$1,"');
    const refused = await importIntoStorage(file('many.csv', many), { projectId, skipBadRows: true }, s);
    expect((await s.listDatasets(projectId)).map((d) => d.name)).toEqual(['r', 'bad']);
    expect(await s.cleanupPending()).toBe(0);
    expect(!refused.ok && refused.message).toBe(
      'many.csv, row 101 (line 102): 20 of 1,500 rows (1.3%) could not be read, more than the 1% that skipping allows, so the file is not imported (check the format, delimiter and encoding; the first is line 102, which has text after the closing quote of a quoted field (a quote inside a quoted field must be doubled: ""))',
    );
  });

  it('names a missing column and duplicate ids; reports unknown gold values', async () => {
    const { s, projectId } = await setup();
    const missing = await importIntoStorage(file('m.csv', csv(10)), { projectId, textFields: ['body'] }, s);
    expect(!missing.ok && missing.message).toBe(
      'm.csv: has no column "body" (chosen as a text field); its columns are "id", "text", "label", "score"',
    );
    const dup = await importIntoStorage(file('d.csv', csv(5) + '3,again,ham,1\n'), { projectId, idField: 'id' }, s);
    expect(!dup.ok && dup.message).toBe('d.csv, row 6 (line 7): id "3" is already used by row 4; ids must be unique');
    await expectNothingStored(s, projectId);
    const odd = await importIntoStorage(
      file(
        'o.csv',
        csv(10, (i) => (i < 3 ? 'eggs' : 'ham')),
      ),
      { projectId, classes: ['ham', 'spam'] },
      s,
    );
    expect(odd.ok && odd.summary.unknownLabels).toEqual({ eggs: 3 });
    expect(odd.ok && odd.summary.notes.join(' ')).toMatch(/"eggs" \(3×\)/);
    // Row numbers stay those of the file when earlier rows were skipped.
    const after = await importIntoStorage(
      file('d.csv', csv(5).replace('\n1,', '\n1,x\n1,') + '3,again,ham,1\n'),
      { projectId, idField: 'id', skipBadRows: true, maxBadShare: 1 },
      s,
    );
    expect(after.ok && after.summary.issues.map((i) => [i.code, i.row, i.line, i.reason])).toEqual([
      ['ragged', 2, 3, 'has 2 fields but the header has 4'],
      ['duplicate-id', 7, 8, 'id "3" is already used by row 5; ids must be unique'],
    ]);
    // Two of seven rows is more than 1%: without maxBadShare that is refused.
    const refused = await importIntoStorage(
      file('d.csv', csv(5).replace('\n1,', '\n1,x\n1,') + '3,again,ham,1\n'),
      { projectId, idField: 'id', skipBadRows: true },
      s,
    );
    expect(!refused.ok && refused.error.code).toBe('too-many-bad-rows');
  });

  it('repeated ids: dropped (listed) or kept on request; label spellings merged or kept on request', async () => {
    const { s, projectId } = await setup();
    const text = 'id,text,label\n1,a,spam\n2,b,SPAM\n1,c, Spam\n3,d,ham\n2,e,ham\n';
    const drop = await importIntoStorage(
      file('d.csv', text),
      { projectId, idField: 'id', duplicateIds: 'drop', labelVariants: 'merge' },
      s,
    );
    expect(drop.ok && drop.summary).toMatchObject({ rows: 3, skipped: 0, dropped: 2, classes: ['spam', 'ham'] });
    expect(drop.ok && drop.summary.notes).toEqual([
      '2 rows were dropped for repeating an id.',
      'd.csv, row 3 (line 4): id "1" repeats row 1, so this row was dropped',
      'd.csv, row 5 (line 6): id "2" repeats row 2, so this row was dropped',
    ]);
    expect(drop.ok && Array.from((await s.getColumn(drop.summary.versionId, 'gold'))!)).toEqual([0, 0, 1]);
    const keep = await importIntoStorage(file('k.csv', text), { projectId, idField: 'id', duplicateIds: 'keep', labelVariants: 'keep' }, s);
    expect(keep.ok && keep.summary).toMatchObject({ rows: 5, dropped: 0, classes: ['spam', 'SPAM', ' Spam', 'ham'] });
    const merged = await importIntoStorage(
      file('k.csv', text),
      { projectId, idField: 'id', duplicateIds: 'keep', labelVariants: 'merge' },
      s,
    );
    expect(merged.ok && Array.from((await s.getColumn(merged.summary.versionId, 'gold'))!)).toEqual([0, 0, 0, 1, 1]);
  });

  it('cancels cleanly mid-import', async () => {
    const { s, projectId } = await setup();
    const ctl = new AbortController();
    const out = await importIntoStorage(
      file('big.csv', csv(20_000)),
      { projectId },
      s,
      (p) => {
        if (p.rows > 3000) ctl.abort();
      },
      ctl.signal,
    );
    expect(!out.ok && out.error.code).toBe('cancelled');
    await expectNothingStored(s, projectId);
  });

  it('turns a full disk into a clear message and keeps the earlier dataset', async () => {
    let full = false;
    const { s, projectId } = await setup({
      beforePut: (t) => {
        if (full && t === 'chunks') throw new DOMException('quota', 'QuotaExceededError');
      },
    });
    const first = await importIntoStorage(file('a.csv', csv(100)), { projectId }, s);
    expect(first.ok).toBe(true);
    full = true;
    const out = await importIntoStorage(file('b.csv', csv(3000)), { projectId }, s);
    expect(!out.ok && out.error.code).toBe('storage');
    expect(!out.ok && out.message).toMatch(/^Browser storage is full, .*earlier data is intact/);
    full = false;
    const ds = await s.listDatasets(projectId);
    expect(ds.map((d) => d.name)).toEqual(['a']);
    expect((await s.readRows(ds[0].currentVersion, 0, 1000)).length).toBe(100);
    expect(await s.cleanupPending()).toBe(0);
  });

  it('puts fewer rows per chunk for very wide tables, and reads them back by position', async () => {
    const { s, projectId } = await setup();
    const header = ['text', ...Array.from({ length: 999 }, (_, j) => `f${j}`)].join(',');
    const body = Array.from({ length: 450 }, (_, i) => [`row ${i}`, ...Array.from({ length: 999 }, (_, j) => String(j))].join(',')).join(
      '\n',
    );
    const out = await importIntoStorage(file('wide.csv', `${header}\n${body}\n`), { projectId, labelField: null }, s);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    const v = (await s.getVersion(out.summary.versionId))!;
    expect(v.rowsPerChunk).toBe(200);
    expect(v.chunkCount).toBe(3);
    expect((await s.getRowChunk(v.id, 2))!.length).toBe(50);
    expect((await s.readRows(v.id, 199, 202)).map((r) => r.text)).toEqual(['row 199', 'row 200', 'row 201']);
  });

  it('reads JSONL and Parquet through the same path', async () => {
    const { s, projectId } = await setup();
    const jsonl = '{"text":"a","label":1}\n{"text":"b","label":0,"extra":{"k":1}}\n';
    const j = await importIntoStorage(
      file('d.jsonl', jsonl),
      { projectId, classes: ['neg', 'pos'], split: { kind: 'fixed', split: 'test' } },
      s,
    );
    expect(j.ok && j.summary).toMatchObject({ rows: 2, labeled: 2, splitCounts: { train: 0, dev: 0, test: 2 } });
    expect(await s.readRows(j.ok ? j.summary.versionId : '', 0, 2)).toEqual([
      { text: 'a', extra: null },
      { text: 'b', extra: '{"k":1}' },
    ]);
    // Opting in keeps the gold column as a field, and the version says so.
    const open = await importIntoStorage(
      file('o.jsonl', jsonl),
      { projectId, classes: ['neg', 'pos'], lfsReadGold: true, split: { kind: 'fixed', split: 'test' } },
      s,
    );
    expect(open.ok).toBe(true);
    if (!open.ok) return;
    expect(await s.readRows(open.summary.versionId, 0, 1)).toEqual([{ text: 'a', label: 1, extra: null }]);
    expect(await s.getVersion(open.summary.versionId)).toMatchObject({ labelField: 'label', lfsReadGold: true });
    // A field first seen after the first batch is kept too.
    const late = await importIntoStorage(
      file('late.jsonl', '{"text":"a"}\n{"text":"b","late":true}\n'),
      { projectId, labelField: null, batchSize: 1 },
      s,
    );
    expect(late.ok && (await s.readRows(late.summary.versionId, 0, 2))[1]).toEqual({ text: 'b', late: true });
    const pq = parquetWriteBuffer({
      columnData: [
        { name: 'body', data: ['x', 'y', 'z'], type: 'STRING' },
        { name: 'n', data: Int32Array.from([1, 2, 3]), type: 'INT32' },
      ],
    });
    const p = await importIntoStorage(file('d.parquet', pq), { projectId, labelField: null }, s);
    expect(p.ok && p.summary.columns).toEqual([
      { name: 'text', kind: 'string' },
      { name: 'body', kind: 'string' },
      { name: 'n', kind: 'number' },
    ]);
  });

  it('imports train/test files into one dataset with the split from each file name', async () => {
    const { s, projectId } = await setup();
    const out = await importIntoStorage([file('train.csv', csv(30)), file('test.csv', csv(7))], { projectId }, s);
    expect(out.ok && out.summary.splitCounts).toEqual({ train: 30, dev: 0, test: 7 });
    const mixed = await importIntoStorage(
      [file('train.csv', csv(3)), file('dev.jsonl', '{"id":"9","text":"j","label":"spam","score":1}\n')],
      { projectId },
      s,
    );
    expect(mixed.ok && mixed.summary.splitCounts).toEqual({ train: 3, dev: 1, test: 0 });
    expect(mixed.ok && (await s.readRows(mixed.summary.versionId, 3, 4))).toEqual([{ text: 'j', id: '9', score: 1 }]);
    expect(mixed.ok && Array.from((await s.getColumn(mixed.summary.versionId, 'gold'))!.slice(3))).toEqual([1]);
    expect(splitFromFileName('data/valid.json')).toBe('dev');
    expect(splitFromFileName('my_dev.csv')).toBe('dev');
    expect(splitFromFileName('stuff.csv')).toBeUndefined();
  });

  it('imports a WRENCH dataset with its weak labels as read-only external LFs', async () => {
    const { s, projectId } = await setup();
    const split = (rows: [number, number[], string][]) =>
      JSON.stringify(Object.fromEntries(rows.map(([label, weak, text], i) => [String(i), { label, weak_labels: weak, data: { text } }])));
    const files = [
      file('label.json', '{"0": "ham", "1": "spam"}'),
      file(
        'train.json',
        split([
          [0, [0, -1], 'a'],
          [1, [1, 1], 'b'],
          [-1, [-1, -1], 'c'],
        ]),
      ),
      file('valid.json', split([[1, [1, -1], 'd']])),
      file(
        'test.json',
        split([
          [0, [-1, 0], 'e'],
          [1, [1, 0], 'f'],
        ]),
      ),
    ];
    const out = await importIntoStorage(files, { projectId, name: 'youtube' }, s);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.summary).toMatchObject({
      format: 'wrench',
      rows: 6,
      classes: ['ham', 'spam'],
      splitCounts: { train: 3, dev: 1, test: 2 },
      externalLfs: 2,
      labeled: 5,
    });
    const v = out.summary.versionId;
    expect(Array.from((await s.getColumn(v, 'gold'))!)).toEqual([0, 1, -1, 1, 0, 1]);
    expect(Array.from((await s.getColumn(v, 'split'))!)).toEqual([0, 0, 0, 1, 2, 2]);
    const lfs = await s.listLfs(projectId);
    expect(lfs.map((l) => [l.name, l.kind, l.readonly])).toEqual([
      ['youtube_lf_0', 'external', true],
      ['youtube_lf_1', 'external', true],
    ]);
    const votes = await s.getVotesMany(
      lfs.map((l) => l.sourceHash),
      v,
    );
    expect(Array.from(votes[0]!.votes)).toEqual([0, 1, -1, 1, -1, 1]);
    expect(Array.from(votes[1]!.votes)).toEqual([-1, 1, -1, -1, 0, 0]);
    expect((await s.readRows(v, 0, 6)).map((r) => r.text)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);

    const bad = await importIntoStorage([file('train.json', '{"0": {"label": 0}}')], { projectId, format: 'wrench' }, s);
    expect(!bad.ok && bad.message).toMatch(/^train\.json: row "0": has no weak_labels array|^train\.json, row "0"/);
  });

  it('works the same on IndexedDB (fake-indexeddb)', async () => {
    const s = await openDexieStorage({ name: `import-${Date.now()}`, watchTabs: false });
    try {
      const p = await s.createProject('P');
      const out = await importIntoStorage(file('mail.csv', csv(2100)), { projectId: p.id }, s);
      expect(out.ok && out.summary.rows).toBe(2100);
      const bad = await importIntoStorage(file('bad.csv', csv(2100) + '1,2\n'), { projectId: p.id }, s);
      expect(bad.ok).toBe(false);
      expect((await s.listDatasets(p.id)).length).toBe(1);
      expect(await s.dexie.table('versions').where('status').equals('pending').count()).toBe(0);
      expect(await s.dexie.table('chunks').count()).toBe(3);
    } finally {
      s.close();
    }
  });
});
