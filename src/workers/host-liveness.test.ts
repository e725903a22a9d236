import { describe, expect, it } from 'vitest';
import { OUT_OF_MEMORY_REASON, watchHost } from './host-liveness.ts';

/** A frame stand-in on the other end of a real MessageChannel. */
function frame(opts: { answer: () => boolean }) {
  const ch = new MessageChannel();
  ch.port2.onmessage = (e) => {
    const m = e.data as { type: string; seq: number };
    if (m.type === 'ping' && opts.answer()) ch.port2.postMessage({ type: 'pong', seq: m.seq });
  };
  return { page: ch.port1, frameSide: ch.port2, close: () => (ch.port1.close(), ch.port2.close()) };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watchHost', () => {
  it('stays alive while the frame answers pings, and is ready once the worker connects', async () => {
    const f = frame({ answer: () => true });
    const live = watchHost(f.page, { silenceMs: 60, intervalMs: 10, startMs: 1000 });
    let dead: string | null = null;
    void live.died.then((r) => (dead = r));
    f.frameSide.postMessage({ type: 'connected' });
    await live.ready;
    await sleep(250);
    expect(dead).toBeNull();
    live.stop();
    f.close();
  });

  it('declares the host dead when pings stop being answered (a crashed process sends nothing)', async () => {
    // The watcher's own clock, moved by hand: silence is judged on it, not on how fast this
    // machine happens to run.
    let clock = 0;
    let alive = true;
    const f = frame({ answer: () => alive });
    const live = watchHost(f.page, { silenceMs: 60, intervalMs: 10, startMs: 1000, now: () => clock });
    let dead: string | null = null;
    void live.died.then((r) => (dead = r));
    f.frameSide.postMessage({ type: 'connected' });
    await live.ready;
    await sleep(50);
    alive = false;
    await sleep(50); // unanswered pings pile up, sent at clock 0
    clock = 60; // exactly silenceMs of silence: not yet
    await sleep(50);
    expect(dead).toBeNull();
    clock = 61;
    expect(await live.died).toBe(OUT_OF_MEMORY_REASON);
    f.close();
  });

  it('reports a worker error the frame relays, and a worker that never starts', async () => {
    const f = frame({ answer: () => true });
    const live = watchHost(f.page, { silenceMs: 60, intervalMs: 10, startMs: 1000 });
    f.frameSide.postMessage({ type: 'died', reason: 'SyntaxError in the worker' });
    expect(await live.died).toBe('SyntaxError in the worker');
    f.close();

    const g = frame({ answer: () => true });
    const never = watchHost(g.page, { silenceMs: 60, intervalMs: 10, startMs: 80 });
    expect(await never.died).toMatch(/did not start/);
    g.close();
  });

  it('after stop() nothing is reported', async () => {
    const f = frame({ answer: () => false });
    const live = watchHost(f.page, { silenceMs: 30, intervalMs: 10, startMs: 1000 });
    f.frameSide.postMessage({ type: 'connected' });
    await live.ready;
    live.stop();
    const r = await Promise.race([live.died, sleep(200).then(() => 'silent')]);
    expect(r).toBe('silent');
    f.close();
  });
});

describe('watchHost and a stalled page', () => {
  it('does not blame the frame for silence the page slept through', async () => {
    // A clock that jumps 10 s once: the page's timer was held back (a long task), answers queued.
    let skew = 0;
    const f = frame({ answer: () => true });
    const live = watchHost(f.page, { silenceMs: 60, intervalMs: 10, startMs: 1000, now: () => Date.now() + skew });
    let dead: string | null = null;
    void live.died.then((r) => (dead = r));
    f.frameSide.postMessage({ type: 'connected' });
    await live.ready;
    await sleep(50);
    skew = 10_000;
    await sleep(150);
    expect(dead).toBeNull();
    live.stop();
    f.close();
  });
});

describe('watchHost and a closing port', () => {
  it('reports the host gone at once when its end of the control port closes', async () => {
    const f = frame({ answer: () => true });
    // A stopped clock: no silence can ever be long enough, so only the close can end it.
    const live = watchHost(f.page, { silenceMs: 10_000, intervalMs: 10, startMs: 10_000, now: () => 0 });
    f.frameSide.postMessage({ type: 'connected' });
    await live.ready;
    f.frameSide.close();
    expect(await live.died).toBe(OUT_OF_MEMORY_REASON);
  });
});
