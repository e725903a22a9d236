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
