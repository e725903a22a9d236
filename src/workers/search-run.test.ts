import { describe, expect, it } from 'vitest';
import { textMatcher } from '../core/text-search.ts';
import { createMemoryStorage } from '../storage/memory.ts';
import { importIntoStorage } from './import-run.ts';
import { searchStoredText } from './search-run.ts';

// Rows spread over several chunks, with the characters whose lowercase is ASCII (İ, the Kelvin
// sign) and a field that is a number in some rows.
const TEXTS = Array.from({ length: 2345 }, (_, i) =>
  i % 97 === 0 ? `İstanbul visit ${i}` : i % 89 === 0 ? `5 \u212Aelvin ${i}` : i % 7 === 0 ? `FREE entry ${i}` : `note ${i}`,
);

async function stored() {
  const s = createMemoryStorage();
  const p = await s.createProject('P');
  const lines = TEXTS.map((text, i) => JSON.stringify(i % 50 === 0 ? { text: i } : { text }));
  const out = await importIntoStorage(
    [{ name: 'notes.jsonl', blob: new Blob([lines.join('\n') + '\n']) }],
    { projectId: p.id, classes: ['a', 'b'] },
    s,
  );
  if (!out.ok) throw new Error(out.message);
  return { s, versionId: out.summary.versionId };
}

describe('the Browse search where the rows are', () => {
  it('marks exactly the rows the search box rule matches, chunk after chunk', async () => {
    const { s, versionId } = await stored();
    const rows = await s.readRows(versionId, 0, TEXTS.length);
    for (const q of ['free', 'i̇stanbul', 'kelvin', '150', 'NOTE 1', '', 'absent']) {
      const chunks: number[] = [];
      const hits = await searchStoredText(s, versionId, q, 'text', { onChunk: (done) => chunks.push(done) });
      const m = textMatcher(q);
      const want = rows.map((r) => (m === null || m(String(r.text)) ? 1 : 0));
      expect(Array.from(hits), q).toEqual(want);
      if (m) expect(chunks.at(-1)).toBe(TEXTS.length);
      if (m) expect(chunks.length).toBeGreaterThan(1);
    }
  });

  it('stops when aborted and says when the version is gone', async () => {
    const { s, versionId } = await stored();
    const ac = new AbortController();
    await expect(searchStoredText(s, versionId, 'free', 'text', { signal: ac.signal, onChunk: () => ac.abort() })).rejects.toThrow();
    await expect(searchStoredText(s, 'nope', 'free', 'text')).rejects.toThrow(/no longer exists/);
  });
});
