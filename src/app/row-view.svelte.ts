/**
 * The rows a screen shows, read from the rows service (dataset-rows.ts) as the screen asks for
 * them: `want(indices)` from an effect whenever the visible indices change, `row(i)` in the
 * markup. Rows whose chunk is cached come at once; the others are read (the previous read is
 * aborted) and the view updates when they arrive. It keeps only the rows last asked for.
 */
import { untrack } from 'svelte';
import type { Row } from '../core/lf/types.ts';
import type { DatasetRows } from './dataset-rows.ts';
import { errorText } from './errors.ts';

export class RowView {
  private got = $state.raw<{ source: DatasetRows | null; rows: ReadonlyMap<number, Row> }>({ source: null, rows: new Map() });
  /** Why the last read failed (one sentence), or null. */
  error = $state<string | null>(null);
  private ac: AbortController | null = null;

  constructor(private readonly source: () => DatasetRows | null | undefined) {}

  /** Row `i` if it was read (or its chunk is cached), else undefined until it arrives. */
  row(i: number): Row | undefined {
    const src = this.source();
    const got = this.got;
    return (got.source === src ? got.rows.get(i) : undefined) ?? src?.peek(i);
  }

  /** Read the rows at `indices` (dataset row numbers) unless they are at hand. */
  want(indices: readonly number[]): void {
    const src = this.source();
    untrack(() => {
      this.ac?.abort();
      this.ac = null;
      if (!src) return;
      const prev = this.got.source === src ? this.got.rows : new Map<number, Row>();
      const missing = indices.filter((i) => !prev.has(i) && src.peek(i) === undefined);
      if (missing.length === 0) return;
      const ac = new AbortController();
      this.ac = ac;
      src.get(missing, ac.signal).then(
        (rows) => {
          if (ac.signal.aborted) return;
          const next = new Map<number, Row>();
          missing.forEach((i, t) => next.set(i, rows[t]));
          for (const i of indices) {
            const r = next.get(i) ?? prev.get(i) ?? src.peek(i);
            if (r) next.set(i, r);
          }
          this.error = null;
          this.got = { source: src, rows: next };
        },
        (e: unknown) => {
          if (ac.signal.aborted || (e instanceof Error && e.name === 'AbortError')) return;
          this.error = errorText(e);
        },
      );
    });
  }

  /** Stop reading (the screen is going away). */
  stop(): void {
    this.ac?.abort();
    this.ac = null;
  }
}
