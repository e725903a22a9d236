/**
 * `shoal apply`'s three WRENCH split files, written while the LFs still run: the pool reports
 * each finished chunk (workers/pool.ts `onChunkDone`), and once every chunk before it is in,
 * its rows go to their split's writer (core/formats/wrench-pieces.ts), encoded into 1 MB buffers
 * that go to disk as they fill.
 * The files are the same bytes as writing them after the job. They are written under temporary
 * names and renamed only when complete; if an LF failed during the job (its votes are discarded
 * at the end, after some were written) the files are rewritten from the final votes.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { LabelMatrix } from '../core/matrix.ts';
import { wrenchSplitPieces, WrenchSplitWriter } from '../core/formats/wrench-pieces.ts';
import type { Row } from '../core/lf/index.ts';
import { ShoalError } from '../core/types.ts';
import type { LfApplyResult } from '../workers/pool.ts';
import { ByteChunker, writePieces } from './write-pieces.ts';

export const SPLIT_FILES = ['train.json', 'valid.json', 'test.json'] as const;

export interface StreamSplitsOptions {
  readonly outDir: string;
  readonly rows: readonly Row[];
  readonly chunkSize: number;
  /** Split per row: 0 train, 1 valid, 2 test. */
  readonly split: Uint8Array;
  /** The label field, left out of each row's `data`. */
  readonly omitField: string | undefined;
  /** Gold class per row, once the classes are known (may throw one ShoalError). */
  readonly gold: (classes: readonly string[]) => Int8Array;
}

export class SplitStreamer {
  private handles: FileHandle[] = [];
  private readonly chains: Promise<unknown>[] = [Promise.resolve(), Promise.resolve(), Promise.resolve()];
  private writers: WrenchSplitWriter[] | null = null;
  private readonly bytes: ByteChunker[] = [0, 1, 2].map((s) => new ByteChunker((b) => this.write(s, b)));
  private gold: Int8Array | null = null;
  private readonly done: Uint8Array;
  private next = 0;
  private error: unknown = null;
  private readonly temps: string[];

  constructor(private readonly o: StreamSplitsOptions) {
    this.done = new Uint8Array(Math.ceil(o.rows.length / o.chunkSize));
    this.temps = SPLIT_FILES.map((f) => join(o.outDir, `.${f}.${process.pid}.partial`));
  }

  /** Open the three temporary files (the output folder exists). */
  async open(): Promise<void> {
    for (const t of this.temps) this.handles.push(await open(t, 'w'));
  }

  /** The pool's per-chunk report. Never throws: a failure is kept and thrown by `finish`. */
  onChunkDone = (chunk: number, votes: readonly Int8Array[], classes: readonly string[]): void => {
    if (this.error !== null) return;
    try {
      if (!this.writers) {
        this.gold = this.o.gold(classes);
        this.writers = [0, 1, 2].map(() => new WrenchSplitWriter(classes.length, votes.length));
      }
      this.done[chunk] = 1;
      while (this.next < this.done.length && this.done[this.next]) this.emit(this.next++, votes);
    } catch (e) {
      this.error = e;
    }
  };

  private emit(chunk: number, votes: readonly Int8Array[]): void {
    const { rows, chunkSize, split, omitField } = this.o;
    const gold = this.gold!;
    const end = Math.min(rows.length, (chunk + 1) * chunkSize);
    for (let i = chunk * chunkSize; i < end; i++) {
      const s = split[i];
      this.bytes[s].push(this.writers![s].line(String(i), gold[i], (j) => votes[j][i], dataOf(rows[i], omitField)));
    }
  }

  private write(s: number, bytes: Buffer): void {
    const fh = this.handles[s];
    this.chains[s] = this.chains[s].then(() => fh.write(bytes));
    this.chains[s].catch((e: unknown) => (this.error ??= e));
  }

  /** After the job: complete (or rewrite) the files and give them their names; on failure, remove them. */
  async finish(res: LfApplyResult | null): Promise<void> {
    try {
      if (res && this.error === null) {
        const streamed = this.writers !== null && this.next === this.done.length && !res.lfs.some((l) => l.failed);
        if (streamed)
          this.writers!.forEach((w, s) => {
            this.bytes[s].push(w.end());
            this.bytes[s].flush();
          });
        await Promise.all(this.chains.map((c) => c.catch(() => undefined)));
        await this.closeAll();
        if (this.error !== null) throw this.error;
        // Some LF failed after its votes were written (or nothing was written): write from the final votes.
        if (!streamed) await this.rewrite(res);
        for (let s = 0; s < 3; s++) await rename(this.temps[s], join(this.o.outDir, SPLIT_FILES[s]));
        return;
      }
      // The job failed (or writing did): nothing of it is kept.
      await Promise.all(this.chains.map((c) => c.catch(() => undefined)));
      await this.closeAll();
      throw this.error ?? new ShoalError('the LF run did not finish; no WRENCH file was written');
    } catch (e) {
      await Promise.all(this.temps.map((t) => rm(t, { force: true })));
      throw e;
    }
  }

  private async closeAll(): Promise<void> {
    const hs = this.handles;
    this.handles = [];
    for (const h of hs) await h.close();
  }

  private async rewrite(res: LfApplyResult): Promise<void> {
    const { rows, split, omitField } = this.o;
    const gold = this.gold ?? this.o.gold(res.classes);
    const members: number[][] = [[], [], []];
    for (let i = 0; i < rows.length; i++) members[split[i]].push(i);
    for (let s = 0; s < 3; s++) {
      const idx = members[s];
      const cols = res.lfs.map((l) => Int8Array.from(idx, (i) => l.votes[i]));
      const L = new LabelMatrix(idx.length, res.classes.length, cols);
      const pieces = wrenchSplitPieces(
        idx.map(String),
        L,
        Int8Array.from(idx, (i) => gold[i]),
        idx.map((i) => dataOf(rows[i], omitField)),
      );
      await writePieces(this.temps[s], pieces);
    }
  }
}

function dataOf(row: Row, omitField: string | undefined): Row {
  if (omitField === undefined || !(omitField in row)) return row;
  const { [omitField]: _gold, ...rest } = row;
  return rest;
}

/** A write failure as one sentence naming the folder. */
export function writeError(outDir: string, e: unknown): ShoalError {
  if (e instanceof ShoalError) return e;
  return new ShoalError(`${outDir}: cannot write the WRENCH files (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
}
