import { describe, expect, it } from 'vitest';
import {
  chooseWorkers,
  choiceWithoutProbe,
  DEFAULT_PROBE,
  MARGIN,
  probeMinChunks,
  WorkerProbe,
  type ProbeSettings,
} from './worker-choice.ts';

const SETTINGS: ProbeSettings = { warmChunks: 2, oneChunks: 3, manyWarmChunks: 2, manyChunks: 4, minMs: 10 };

/**
 * Drive a probe as the pool would: chunks of 1000 rows finish one after another; `msPerChunk`
 * says how long each takes given how many workers the gate lets through at that moment.
 */
function drive(probe: WorkerProbe, chunkCount: number, msPerChunk: (working: number) => number) {
  let t = 0;
  const gates: (boolean | 'waiting')[] = [];
  let rowsDone = 0;
  /** The first chunk slot 1 was let through for. */
  let firstOpen = -1;
  for (let c = 1; c <= chunkCount; c++) {
    // Ask the gate of each other slot, without waiting for a pending one.
    let working = 1;
    for (let s = 1; s < probe.workers; s++) {
      const g = probe.gate(s);
      if (g === true) working++;
      if (g === true && s === 1 && firstOpen < 0) firstOpen = c;
      gates[s] = typeof g === 'boolean' ? g : 'waiting';
    }
    t += msPerChunk(working);
    rowsDone += 1000;
    // The clock is read inside progress.
    now = t;
    probe.progress({ chunksDone: c, rowsDone });
  }
  return { gates, firstOpen };
}
let now = 0;
const clock = () => now;

describe('chooseWorkers', () => {
  it('keeps all workers only when they beat one by the margin', () => {
    const two = chooseWorkers(2, { rows: 10_000, ms: 1000 }, { rows: 20_000, ms: 1000 }, 40_000);
    expect(two.chosen).toBe(2);
    expect(two.oneRowsPerS).toBe(10_000);
    expect(two.manyRowsPerS).toBe(20_000);
    expect(two.reason).toBe('measured on the first 40,000 rows: 1 worker 10,000 rows/s, 2 workers 20,000 rows/s (2.00×); kept 2');
    const tie = chooseWorkers(2, { rows: 10_000, ms: 1000 }, { rows: 11_000, ms: 1000 }, 40_000);
    expect(tie.chosen).toBe(1);
    expect(tie.reason).toContain(`kept 1, as 2 must be at least ${MARGIN}× faster`);
    expect(chooseWorkers(2, { rows: 10_000, ms: 1000 }, { rows: 9_000, ms: 1000 }, 40_000).chosen).toBe(1);
  });
});

describe('choiceWithoutProbe', () => {
  it('obeys --workers, takes one worker on one CPU or a small input, and otherwise asks for a probe', () => {
    expect(choiceWithoutProbe({ forced: 3, cpus: 2, workers: 3, chunkCount: 1000 })).toEqual({ chosen: 3, reason: '--workers 3' });
    expect(choiceWithoutProbe({ cpus: 1, workers: 1, chunkCount: 1000 })?.chosen).toBe(1);
    const small = choiceWithoutProbe({ cpus: 2, workers: 2, chunkCount: probeMinChunks() - 1 });
    expect(small?.chosen).toBe(1);
    expect(small?.reason).toMatch(/fewer than the \d+ worth timing a second worker on/);
    expect(choiceWithoutProbe({ cpus: 2, workers: 2, chunkCount: probeMinChunks() })).toBeNull();
    expect(probeMinChunks(DEFAULT_PROBE)).toBe(2 * (4 + 8 + 4 + 16));
  });
});

describe('WorkerProbe', () => {
  it('holds the other workers back while one is timed, then keeps them when they scale', async () => {
    now = 0;
    const probe = new WorkerProbe(2, 40, clock, SETTINGS);
    const held = probe.gate(1);
    expect(held).toBeInstanceOf(Promise);
    // Two workers finish chunks twice as often.
    const { gates, firstOpen } = drive(probe, 40, (w) => 10 / w);
    // Warm-up (2 chunks) and the lone timing (3 chunks) come first.
    expect(firstOpen).toBe(6);
    await expect(held).resolves.toBe(true);
    expect(gates[1]).toBe(true);
    const r = probe.result();
    expect(r.chosen).toBe(2);
    expect(r.oneRowsPerS).toBe(100_000);
    expect(r.manyRowsPerS).toBe(200_000);
    expect(probe.gate(0)).toBe(true);
  });

  it('stops the other workers when they do not add throughput (a busy machine)', async () => {
    now = 0;
    const probe = new WorkerProbe(2, 40, clock, SETTINGS);
    const { gates } = drive(probe, 40, () => 10);
    const r = probe.result();
    expect(r.chosen).toBe(1);
    expect(r.reason).toContain('kept 1');
    expect(gates[1]).toBe(false);
    // Slot 0 is never stopped.
    expect(probe.gate(0)).toBe(true);
  });

  it('lets a held worker go home when the rows run out during the lone timing', async () => {
    now = 0;
    const probe = new WorkerProbe(2, 4, clock, SETTINGS);
    const held = probe.gate(1);
    drive(probe, 4, () => 10);
    await expect(held).resolves.toBe(false);
    const r = probe.result();
    expect(r.chosen).toBe(1);
    expect(r.reason).toMatch(/rows ran out before the probe/);
  });

  it('waits for the minimum timing length before deciding', async () => {
    now = 0;
    // Chunks of 1 ms: the lone timing needs 10 ms, not just 3 chunks.
    const probe = new WorkerProbe(2, 100, clock, SETTINGS);
    const { firstOpen } = drive(probe, 100, () => 1);
    // 2 chunks of warm-up, then 10 ms of timing: chunk 12 ends it, chunk 13 is the first shared.
    expect(firstOpen).toBe(SETTINGS.warmChunks + SETTINGS.minMs + 1);
    expect(probe.result().chosen).toBe(1);
  });
});
