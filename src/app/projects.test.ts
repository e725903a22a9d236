import { describe, expect, it } from 'vitest';
import { ShoalError } from '../core/types.ts';
import { createMemoryStorage } from '../storage/memory.ts';
import { importIntoStorage } from '../workers/import-run.ts';
import { cleanProjectName, projectSummaries, renameProject } from './projects.ts';

const csv = (n: number): string =>
  ['text,label', ...Array.from({ length: n }, (_, i) => `message ${i},${i % 2 ? 'spam' : 'ham'}`)].join('\n') + '\n';

describe('project list', () => {
  it('tells projects with the same name apart by rows, source file and dates', async () => {
    const s = createMemoryStorage();
    const a = await s.createProject('sotu');
    const b = await s.createProject('sotu');
    const empty = await s.createProject('sotu');
    const ra = await importIntoStorage(
      { name: 'speeches-1990.csv', blob: new Blob([csv(12)]) },
      { projectId: a.id, classes: ['ham', 'spam'], labelField: 'label' },
      s,
    );
    const rb = await importIntoStorage(
      { name: 'speeches-2020.tsv', blob: new Blob([csv(30).replaceAll(',', '\t')]) },
      { projectId: b.id, classes: ['ham', 'spam'], labelField: 'label' },
      s,
    );
    expect(ra.ok && rb.ok).toBe(true);
    const list = await projectSummaries(s);
    expect(list.map((p) => [p.name, p.rows, p.source])).toEqual([
      ['sotu', 12, 'speeches-1990.csv'],
      ['sotu', 30, 'speeches-2020.tsv'],
      ['sotu', null, null],
    ]);
    expect(list.map((p) => p.id)).toEqual([a.id, b.id, empty.id]);
    for (const p of list) expect(p.modifiedAt).toBeGreaterThanOrEqual(p.createdAt);
    // The import wrote to a and b: their modified time is the project record's, read fresh.
    expect(list[0].modifiedAt).toBe((await s.getProject(a.id))!.updatedAt);
  });

  it('renames with a cleaned name and refuses an empty or overlong one', async () => {
    const s = createMemoryStorage();
    const p = await s.createProject('sotu');
    expect(await renameProject(s, p.id, '  State of the   Union\n1990 ')).toBe('State of the Union 1990');
    expect((await s.getProject(p.id))!.name).toBe('State of the Union 1990');
    await expect(renameProject(s, p.id, '   ')).rejects.toThrow(ShoalError);
    await expect(renameProject(s, p.id, 'x'.repeat(201))).rejects.toThrow(/at most 200 characters \(this one has 201\)/);
    expect((await s.getProject(p.id))!.name).toBe('State of the Union 1990');
    expect(cleanProjectName('x'.repeat(200))).toHaveLength(200);
  });
});
