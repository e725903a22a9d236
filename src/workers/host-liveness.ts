/**
 * Tells when the process behind an isolated LF host has died. A crashed out-of-process frame
 * fires no event in the page; its MessagePorts may fire `close` where the browser supports that,
 * and otherwise stay open, so the page pings the frame over its control port and declares it
 * dead when a ping stays unanswered too long.
 *
 * Pings are answered by the frame's own thread, which runs no LF code, so a busy LF does not
 * delay them; only a dead (or wholly starved) process does. Silence is measured from the oldest
 * unanswered ping, and only while the page's own timer ran on time: after the page stalled (a
 * long task, a throttled background tab) the answers may still be queued, so the count restarts.
 */

import { clipText } from '../core/lf/sandbox.ts';

export interface ControlPort {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
  /** Where supported (Chromium ≥ 122, Node): fired when the other end's owner is gone. */
  addEventListener(type: 'close', listener: () => void): void;
  start?(): void;
}

export interface LivenessOptions {
  /** How long a ping may stay unanswered before the host counts as dead. */
  readonly silenceMs?: number;
  /** How long the host may take to start (send `connected`). */
  readonly startMs?: number;
  readonly intervalMs?: number;
  readonly now?: () => number;
}

export interface HostLiveness {
  /** Resolves when the worker in the frame reports `connected`. */
  readonly ready: Promise<void>;
  /** Resolves (never rejects) with the reason the host is gone. */
  readonly died: Promise<string>;
  /** Stop watching (the host was terminated on purpose). */
  stop(): void;
  /** Declare the host gone now (another of its ports closed). */
  lost(reason?: string): void;
}

/** Start of the reason given when the frame's worker never connects. */
export const NOT_STARTED_REASON = 'the isolated LF worker did not start';

export const OUT_OF_MEMORY_REASON = 'its process ended or stopped responding; most likely the LF ran out of memory';

export function watchHost(control: ControlPort, opts: LivenessOptions = {}): HostLiveness {
  // Chromium 156 fires no `close` for a crashed frame's ports, so pings are the signal that
  // matters, and they must beat the LF's own deadline (5 s per chunk). A false alarm costs a
  // re-run, not a verdict: the pool convicts a lone LF only after a second death (pool.ts).
  const silenceMs = opts.silenceMs ?? 1500;
  const startMs = opts.startMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 250;
  const stallMs = Math.max(intervalMs * 3, 1000);
  const now = opts.now ?? (() => Date.now());
  const started = now();
  let connected = false;
  let stopped = false;
  let seq = 0;
  /** Send times of the pings not yet answered, oldest first (answers come in order). */
  const unanswered: { seq: number; at: number }[] = [];
  let markReady!: () => void;
  let markDead!: (reason: string) => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const died = new Promise<string>((r) => (markDead = r));

  const die = (reason: string) => {
    if (stopped) return;
    stop();
    markDead(reason);
  };
  control.addEventListener('message', (e) => {
    const m = e.data as { type?: unknown; reason?: unknown; seq?: unknown } | null;
    if (!m || stopped) return;
    if (m.type === 'connected') {
      connected = true;
      markReady();
    } else if (m.type === 'pong') {
      while (unanswered.length > 0 && typeof m.seq === 'number' && unanswered[0].seq <= m.seq) unanswered.shift();
    } else if (m.type === 'died') {
      // The frame relays the worker's error text, which LF code may have written: it is shown
      // (cut short), never interpreted.
      die(typeof m.reason === 'string' ? clipText(m.reason, 500) : 'the LF worker failed');
    }
  });
  // Where a browser fires `close` on a dead frame's port, that is the fast path; the pings below
  // are what Chromium 156 needs.
  control.addEventListener('close', () => die(OUT_OF_MEMORY_REASON));
  control.start?.();

  let lastCheck = now();
  const timer = setInterval(() => {
    const t = now();
    const stalled = t - lastCheck > stallMs;
    lastCheck = t;
    // After a stall of the page itself (a long task, a throttled background tab), answers may
    // be queued behind this timer: judge only silence the page was awake to hear.
    if (stalled) unanswered.length = 0;
    if (!connected) {
      if (t - started > startMs) die(`${NOT_STARTED_REASON} within ${Math.round(startMs / 1000)} s`);
      return;
    }
    if (unanswered.length > 0 && t - unanswered[0].at > silenceMs) {
      die(OUT_OF_MEMORY_REASON);
      return;
    }
    seq++;
    unanswered.push({ seq, at: t });
    control.postMessage({ type: 'ping', seq });
  }, intervalMs);

  function stop(): void {
    stopped = true;
    clearInterval(timer);
  }
  return { ready, died, stop, lost: (reason = OUT_OF_MEMORY_REASON) => die(reason) };
}
