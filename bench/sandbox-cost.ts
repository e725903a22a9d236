/**
 * `npm run bench:sandbox [-- --rows N]`: what the LF sandbox costs a code LF, in one run.
 *
 * The two code LFs of the spec set (lf-apply-defs.ts) over N generated rows (default 1M), in
 * chunks of 5,000 like the workers, inline on one thread, three ways, alternated, medians:
 * - `Function`: compiled with the realm's own `Function` and rows frozen shallowly — how code LFs
 *   ran before the sandbox (rebuilt here as the reference; the runtime no longer can);
 * - `sandbox`: as they run now — SES lockdown, one frozen compartment per LF, rows frozen.
 * Lockdown is for the whole process, so the first `Function` pass runs before it and the later
 * ones after (frozen built-ins may change what the JIT does; both are printed).
 */
import { cpus, loadavg } from 'node:os';
import { HelperScope } from '../src/core/lf/helpers.ts';
import { hardenedSandbox } from '../src/core/lf/hardened-realm.ts';
import { LfRuntime } from '../src/core/lf/runtime.ts';
import type { LfDef, Row } from '../src/core/lf/types.ts';
import { BENCH_CLASSES, BENCH_LFS } from './lf-apply-defs.ts';
import { generateRows } from './lf-apply-gen.ts';

const args = process.argv.slice(2);
const rowsFlag = args.indexOf('--rows');
const N = rowsFlag >= 0 ? Number(args[rowsFlag + 1]) : 1_000_000;
const CHUNK = 5000;
const code = BENCH_LFS.filter((d): d is Extract<LfDef, { kind: 'code' }> => d.kind === 'code');
const classes = [...BENCH_CLASSES];

function chunks(): Row[][] {
  const rows = generateRows(N, 7);
  const out: Row[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK).map((r) => ({ ...r })));
  return out;
}

/** The pre-sandbox compile path: the realm's Function with the helpers as parameters. */
function viaFunction(data: Row[][]): { ms: number; fires: number } {
  const scope = new HelperScope('text', classes, null);
  const fns = code.map(
    (d) => new Function(...scope.names, `"use strict";\nreturn (${d.source}\n);`)(...scope.values) as (x: Row) => unknown,
  );
  const t0 = performance.now();
  let fires = 0;
  for (const rows of data) {
    for (const r of rows) Object.freeze(r);
    scope.clear();
    for (const fn of fns) {
      for (let i = 0; i < rows.length; i++) {
        scope.at(rows[i], i);
        const v = fn(rows[i]);
        if (v !== null && v !== undefined && v !== -1) fires++;
      }
    }
  }
  return { ms: performance.now() - t0, fires };
}

function viaSandbox(data: Row[][]): { ms: number; fires: number } {
  const t0 = performance.now();
  const rt = LfRuntime.fromDefs(code, classes, { sandbox: hardenedSandbox(), textField: 'text' });
  let fires = 0;
  for (const rows of data) {
    const r = rt.applyChunk({ start: 0, rows });
    for (let k = 0; k < r.votes.length; k++) if (r.votes[k] >= 0) fires++;
  }
  return { ms: performance.now() - t0, fires };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const before = viaFunction(chunks());
hardenedSandbox();
const fn: number[] = [];
const sb: number[] = [];
let fires = { fn: 0, sb: 0 };
for (let rep = 0; rep < 3; rep++) {
  const a = viaFunction(chunks());
  const b = viaSandbox(chunks());
  fn.push(a.ms);
  sb.push(b.ms);
  fires = { fn: a.fires, sb: b.fires };
}
const rps = (ms: number) => Math.round(N / (ms / 1000)).toLocaleString('en-US');
console.log(
  `\n### The LF sandbox's cost: the 2 spec code LFs over ${N.toLocaleString('en-US')} rows, one thread (load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}, ${cpus().length} cores)\n`,
);
console.log('| compiled by | median s (3 runs, alternated) | rows/s | votes cast |');
console.log('|---|---|---|---|');
console.log(`| realm's \`Function\`, before lockdown (1 run) | ${(before.ms / 1000).toFixed(2)} | ${rps(before.ms)} | ${before.fires} |`);
console.log(`| realm's \`Function\`, after lockdown | ${(median(fn) / 1000).toFixed(2)} | ${rps(median(fn))} | ${fires.fn} |`);
console.log(`| sandbox (compartment per LF, rows frozen) | ${(median(sb) / 1000).toFixed(2)} | ${rps(median(sb))} | ${fires.sb} |`);
console.log(
  `\nsandbox ÷ Function (after lockdown): ${(median(sb) / median(fn)).toFixed(2)}× the time${fires.fn === fires.sb ? '' : ' — VOTES DIFFER'}`,
);
