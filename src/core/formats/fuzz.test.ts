/**
 * Seeded fuzzing of every reader: thousands of mutated inputs (flipped bytes, stray quotes,
 * brackets and newlines, invalid UTF-8, truncation) with random slice sizes and options. Each
 * must settle quickly to a result that keeps the reader contract; none may throw or hang.
 */
import { describe, expect, it } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { mulberry32, type Rng } from '../rng.ts';
import { collect, contractViolations } from './testutil.ts';
import type { DataFormat } from './types.ts';

const enc = new TextEncoder();
const INTERESTING = [0x22, 0x2c, 0x0a, 0x0d, 0x7b, 0x7d, 0x5b, 0x5d, 0x5c, 0x3a, 0x09, 0x3b, 0x00, 0xff, 0xc3, 0xe9, 0xf0, 0x80];

function mutate(src: Uint8Array, rng: Rng): Uint8Array {
  let b = Array.from(src);
  const ops = 1 + Math.floor(rng() * 4);
  for (let o = 0; o < ops; o++) {
    const at = Math.floor(rng() * (b.length + 1));
    switch (Math.floor(rng() * 6)) {
      case 0: // flip a byte
        if (b.length) b[Math.min(at, b.length - 1)] = Math.floor(rng() * 256);
        break;
      case 1: // insert a byte that parsers care about
        b.splice(at, 0, INTERESTING[Math.floor(rng() * INTERESTING.length)]);
        break;
      case 2: // delete a range
        b.splice(at, Math.floor(rng() * 20));
        break;
      case 3: // duplicate a range
        b.splice(at, 0, ...b.slice(at, at + Math.floor(rng() * 40)));
        break;
      case 4: // truncate
        b = b.slice(0, at);
        break;
      default: // random bytes
        b.splice(at, 0, ...Array.from({ length: Math.floor(rng() * 8) }, () => Math.floor(rng() * 256)));
    }
  }
  return Uint8Array.from(b);
}

const SEEDS: Record<Exclude<DataFormat, 'parquet' | 'wrench'>, string[]> = {
  csv: ['id,text,label\n1,"hello, ""world""",spam\n2,"multi\nline",ham\n3,plain,\n', 'a;b\r\n1;2\r\n', 'x\n1\n2\n'],
  tsv: ['id\ttext\n1\thello\n2\t"quoted\ttab"\n'],
  jsonl: ['{"id":1,"text":"a \\"q\\" b","tags":["x"]}\n{"id":2,"text":"é😀","n":null}\n', '{"a":{"b":[1,{"c":2}]}}\r\n'],
  json: ['[{"id":1,"text":"a]b"},{"id":2,"nested":{"x":[1,2,"}"]}}]', '[\n {"a":1},\n {"a":"\\u00e9"}\n]\n'],
};

async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function fuzz(format: DataFormat, seeds: Uint8Array[], cases: number, seed: number): Promise<{ ok: number; failed: number }> {
  const rng = mulberry32(seed);
  let ok = 0;
  let failed = 0;
  for (let t = 0; t < cases; t++) {
    const base = seeds[Math.floor(rng() * seeds.length)];
    const input = rng() < 0.05 ? base : mutate(base, rng);
    const fileName = `fuzz-${t}.${format}`;
    const opts = {
      fileName,
      format,
      chunkBytes: 16 + Math.floor(rng() * 200),
      skipBadRows: rng() < 0.5,
      batchSize: 1 + Math.floor(rng() * 5),
      maxRowChars: rng() < 0.2 ? 20 + Math.floor(rng() * 60) : undefined,
      header: rng() < 0.9,
    };
    let c;
    try {
      c = await within(2000, collect(input, opts));
    } catch (e) {
      throw new Error(`case ${t} (${format}) threw ${String(e)} on ${JSON.stringify(Array.from(input))}`);
    }
    const v = contractViolations(c, fileName);
    if (v.length) throw new Error(`case ${t} (${format}): ${v.join('; ')}`);
    if (c.result.ok) ok++;
    else failed++;
  }
  return { ok, failed };
}

describe('fuzzed readers never throw, hang or break their contract', () => {
  for (const format of ['csv', 'tsv', 'jsonl', 'json'] as const) {
    it(`${format}: 2000 mutated inputs`, async () => {
      const r = await fuzz(
        format,
        SEEDS[format].map((s) => enc.encode(s)),
        2000,
        0x5eed + format.length,
      );
      // Both outcomes must actually occur, or the mutations are not exercising anything.
      expect(r.ok).toBeGreaterThan(50);
      expect(r.failed).toBeGreaterThan(50);
    });
  }

  // hyparquet decodes synchronously and, on some corrupted page headers (a huge num_values),
  // spins for minutes filling a giant array; no promise timeout can interrupt that. So each
  // Parquet case runs in a worker thread under a watchdog, exactly as the import worker runs
  // under the app's stall watchdog (src/app/import.ts), and a stalled case must be rare.
  it('parquet: 1000 mutated files (in a worker with a watchdog)', async () => {
    const n = 50;
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'id', data: Int32Array.from({ length: n }, (_, i) => i), type: 'INT32' },
        { name: 'text', data: Array.from({ length: n }, (_, i) => `t${i}`), type: 'STRING' },
      ],
      rowGroupSize: 20,
    });
    const { Worker } = await import('node:worker_threads');
    const { createRequire } = await import('node:module');
    const { pathToFileURL } = await import('node:url');
    const helper = new URL('./testutil.ts', import.meta.url).href;
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
    const code = `import { parentPort } from 'node:worker_threads';
      (await import(${JSON.stringify(tsx)})).register();
      const { collect, contractViolations } = await import(${JSON.stringify(helper)});
      parentPort.on('message', async ({ bytes, opts }) => {
        const c = await collect(bytes, opts);
        parentPort.postMessage({ ok: c.result.ok, violations: contractViolations(c, opts.fileName) });
      });
      parentPort.postMessage('ready');`;
    const spawn = async (): Promise<InstanceType<typeof Worker>> => {
      const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), {});
      await new Promise((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
      return w;
    };
    let worker = await spawn();
    const rng = mulberry32(0xfa11);
    const base = new Uint8Array(buf);
    let ok = 0;
    let failed = 0;
    let stalled = 0;
    try {
      for (let t = 0; t < 1000; t++) {
        const bytes = rng() < 0.05 ? base : mutate(base, rng);
        const opts = { fileName: `fuzz-${t}.parquet`, format: 'parquet', batchSize: 1 + Math.floor(rng() * 30), skipBadRows: rng() < 0.5 };
        const reply = await new Promise<{ ok: boolean; violations: string[] } | 'stalled'>((resolve, reject) => {
          const timer = setTimeout(() => resolve('stalled'), 1000);
          worker.once('message', (m) => {
            clearTimeout(timer);
            resolve(m);
          });
          worker.once('error', (e) => {
            clearTimeout(timer);
            reject(new Error(`case ${t} crashed the worker: ${String(e)}`));
          });
          worker.postMessage({ bytes, opts });
        });
        worker.removeAllListeners('message');
        worker.removeAllListeners('error');
        if (reply === 'stalled') {
          stalled++;
          await worker.terminate();
          worker = await spawn();
          continue;
        }
        expect(reply.violations, `case ${t}`).toEqual([]);
        if (reply.ok) ok++;
        else failed++;
      }
    } finally {
      await worker.terminate();
    }
    expect(ok).toBeGreaterThan(10);
    expect(failed).toBeGreaterThan(100);
    console.log(`parquet fuzz: ${ok} read, ${failed} reported, ${stalled} stopped by the watchdog`);
    expect(stalled).toBeLessThan(20);
  }, 120_000);
});
