/**
 * Write a file from a sequence of string pieces (core/formats/wrench-pieces.ts) with one write in
 * flight: piece k is built while piece k-1 goes to disk, and no string of the whole file is held.
 */
import { open } from 'node:fs/promises';

export async function writePieces(path: string, pieces: Iterable<string>): Promise<void> {
  const fh = await open(path, 'w');
  let pending: Promise<unknown> | null = null;
  try {
    for (const piece of pieces) {
      if (pending) await pending;
      pending = fh.write(piece);
    }
    await pending;
  } catch (e) {
    // A piece that could not be built (or written): let the write in flight settle before closing.
    await pending?.catch(() => undefined);
    throw e;
  } finally {
    await fh.close();
  }
}

/**
 * Text encoded as UTF-8 straight into buffers of `size` bytes, each full one handed to `out`: a
 * million short lines become a few hundred writes without first being joined into long strings.
 */
export class ByteChunker {
  private buf: Buffer;
  private off = 0;

  constructor(
    private readonly out: (bytes: Buffer) => void,
    private readonly size = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }

  push(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    if (this.off + text.length * 3 > this.size) {
      this.flush();
      if (text.length * 3 > this.size) {
        this.out(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.off += this.buf.write(text, this.off, 'utf8');
  }

  flush(): void {
    if (this.off === 0) return;
    this.out(this.buf.subarray(0, this.off));
    this.buf = Buffer.allocUnsafe(this.size);
    this.off = 0;
  }
}
