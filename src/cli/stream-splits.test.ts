import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeWrenchSplit } from '../core/formats/wrench.ts';
import { LabelMatrix } from '../core/matrix.ts';
import { mulberry32 } from '../core/rng.ts';
import { ShoalError } from '../core/types.ts';
import type { LfApplyResult } from '../workers/pool.ts';
import { assignSplits } from './apply.ts';
import { SPLIT_FILES, SplitStreamer } from './stream-splits.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const n = 2345;
const chunkSize = 100;
const classes = ['a', 'b', 'c'];
const rng = mulberry32(5);
const rows = Array.from({ length: n }, (_, i) => ({ text: `row ${i} "q" ${rng()}`, gold: i % 7 === 0 ? '' : classes[i % 3] }));
const votes = Array.from({ length: 4 }, () => Int8Array.from({ length: n }, () => Math.floor(rng() * 4) - 1));
const split = assignSplits(n, [0.8, 0.1, 0.1], 0);
const gold = Int8Array.from(rows, (r) => (r.gold === '' ? -1 : classes.indexOf(r.gold)));

/** The files as written after the job: writeWrenchSplit on each split's rows, file order, gold left out. */
function expected(final: Int8Array[]): string[] {
  return [0, 1, 2].map((s) => {
    const idx = [...Array(n).keys()].filter((i) => split[i] === s);
    const L = new LabelMatrix(
      idx.length,
      3,
      final.map((v) => Int8Array.from(idx, (i) => v[i])),
    );
    return writeWrenchSplit(
      idx.map(String),
      L,
      Int8Array.from(idx, (i) => gold[i]),
      idx.map((i) => ({ text: rows[i].text })),
    );
  });
}

function result(final: Int8Array[], failed: boolean[]): LfApplyResult {
  return { rows: n, classes, ms: 0, lfs: final.map((v, j) => ({ name: `lf${j}`, votes: v, error: null, failed: failed[j], ms: 0 })) };
}

async function streamInOrder(order: number[], seen: Int8Array[], final: Int8Array[], failed: boolean[], goldFn = () => gold) {
  const outDir = mkdtempSync(join(tmpdir(), 'shoal-stream-'));
  dirs.push(outDir);
  const st = new SplitStreamer({ outDir, rows, chunkSize, split, omitField: 'gold', gold: goldFn });
  await st.open();
  for (const c of order) st.onChunkDone(c, seen, classes);
  await st.finish(result(final, failed));
  return outDir;
}

describe('SplitStreamer', () => {
  it('writes the files writeWrenchSplit would, whatever order the chunks finish in', async () => {
    const chunks = Math.ceil(n / chunkSize);
    const order = [...Array(chunks).keys()].sort(() => rng() - 0.5);
    const outDir = await streamInOrder(order, votes, votes, [false, false, false, false]);
    const want = expected(votes);
    SPLIT_FILES.forEach((f, s) => expect(readFileSync(join(outDir, f), 'utf8')).toBe(want[s]));
    expect(readdirSync(outDir).sort()).toEqual([...SPLIT_FILES].sort());
  });

  it('rewrites from the final votes when an LF failed after some of its votes were written', async () => {
    const chunks = Math.ceil(n / chunkSize);
    const final = votes.map((v, j) => (j === 2 ? new Int8Array(n).fill(-1) : v));
    const outDir = await streamInOrder([...Array(chunks).keys()], votes, final, [false, false, true, false]);
    const want = expected(final);
    SPLIT_FILES.forEach((f, s) => expect(readFileSync(join(outDir, f), 'utf8')).toBe(want[s]));
  });

  it('a gold label that is not a class fails the write and leaves no file behind', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'shoal-stream-'));
    dirs.push(outDir);
    const st = new SplitStreamer({
      outDir,
      rows,
      chunkSize,
      split,
      omitField: 'gold',
      gold: () => {
        throw new ShoalError('d.jsonl: row 3: label "x" in field "gold" is not one of the classes a, b, c (or an index 0–2)');
      },
    });
    await st.open();
    st.onChunkDone(0, votes, classes);
    await expect(st.finish(result(votes, [false, false, false, false]))).rejects.toThrow(/row 3: label "x"/);
    expect(readdirSync(outDir)).toEqual([]);
  });

  it('a job that failed leaves no file behind', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'shoal-stream-'));
    dirs.push(outDir);
    const st = new SplitStreamer({ outDir, rows, chunkSize, split, omitField: 'gold', gold: () => gold });
    await st.open();
    st.onChunkDone(0, votes, classes);
    await expect(st.finish(null)).rejects.toThrow(/did not finish; no WRENCH file was written/);
    expect(readdirSync(outDir)).toEqual([]);
  });
});
