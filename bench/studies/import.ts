/**
 * Import throughput in Node: a generated CSV (default 100k rows, spam-like messages with
 * quotes and commas) parsed alone, then imported end to end into the in-memory storage and
 * into Dexie on fake-indexeddb (a JS IndexedDB; the browser's is much faster per record but
 * the shape of the costs is the same). Prints a table.
 *
 *   npx tsx bench/studies/import.ts [rows]
 */
import 'fake-indexeddb/auto';
import { parseTable } from '../../src/core/formats/parse.ts';
import { mulberry32 } from '../../src/core/rng.ts';
import { openDexieStorage } from '../../src/storage/dexie.ts';
import { createMemoryStorage } from '../../src/storage/memory.ts';
import type { ShoalStorage } from '../../src/storage/types.ts';
import { importIntoStorage } from '../../src/workers/import-run.ts';

const rows = Number(process.argv[2] ?? 100_000);
const WORDS =
  'free money offer click now meeting tomorrow report attached please review winner prize urgent account verify lunch project update'.split(
    ' ',
  );

function generate(n: number): Blob {
  const rng = mulberry32(1);
  const parts: string[] = ['id,text,label,score\n'];
  for (let i = 0; i < n; i++) {
    const len = 8 + Math.floor(rng() * 30);
    let t = '';
    for (let w = 0; w < len; w++) t += (w ? ' ' : '') + WORDS[Math.floor(rng() * WORDS.length)];
    if (rng() < 0.2) t += ', "quoted" bit';
    parts.push(`${i},"${t.replace(/"/g, '""')}",${rng() < 0.3 ? 'spam' : 'ham'},${(rng() * 100).toFixed(2)}\n`);
  }
  // One part, like a File: Node slices a Blob made of 100k parts slowly.
  return new Blob([parts.join('')]);
}

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, performance.now() - t0];
}

const blob = generate(rows);
const mb = blob.size / 1e6;
const table: { target: string; rows: number; ms: number }[] = [];

const [parsed, parseMs] = await time(() => parseTable(blob, { fileName: 'bench.csv' }, () => {}));
if (!parsed.ok) throw new Error(parsed.error.reason);
table.push({ target: 'parse only (stream)', rows: parsed.rows, ms: parseMs });

async function importInto(label: string, storage: ShoalStorage): Promise<void> {
  const p = await storage.createProject('bench');
  const [out, ms] = await time(() =>
    importIntoStorage({ name: 'bench.csv', blob }, { projectId: p.id, classes: ['ham', 'spam'], idField: 'id' }, storage),
  );
  if (!out.ok) throw new Error(out.message);
  const [back, readMs] = await time(() => storage.readRows(out.summary.versionId, 0, out.summary.rows));
  if (back.length !== rows) throw new Error(`read back ${back.length} rows`);
  table.push({ target: `import → ${label}`, rows: out.summary.rows, ms });
  table.push({ target: `read all rows ← ${label}`, rows: back.length, ms: readMs });
}

await importInto('in-memory storage', createMemoryStorage());
const dexie = await openDexieStorage({ name: `bench-${Date.now()}`, watchTabs: false });
await importInto('Dexie on fake-indexeddb', dexie);
dexie.close();

console.log(`\nImport throughput: ${rows.toLocaleString('en')} rows, ${mb.toFixed(1)} MB CSV, Node ${process.version}\n`);
const head = ['what', 'rows', 'ms', 'rows/s', 'MB/s'];
const body = table.map((r) => [
  r.target,
  String(r.rows),
  r.ms.toFixed(0),
  Math.round((r.rows / r.ms) * 1000).toLocaleString('en'),
  ((mb / r.ms) * 1000).toFixed(1),
]);
const widths = head.map((h, j) => Math.max(h.length, ...body.map((b) => b[j].length)));
const line = (cells: string[]) => '| ' + cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join(' | ') + ' |';
console.log(line(head));
console.log('|' + widths.map((w, j) => (j === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
for (const b of body) console.log(line(b));
