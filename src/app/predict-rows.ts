/**
 * Predictions over every row of a dataset without holding every text: rows are streamed from
 * storage a block at a time through `predict` (a worker call), and only the n × k
 * probabilities are kept.
 */
import type { DatasetRows } from './dataset-rows.ts';

/** Rows per block: the texts of one block are in memory at a time. */
export const PREDICT_BLOCK = 20_000;

export async function predictRows(
  rows: DatasetRows,
  textField: string,
  k: number,
  predict: (texts: string[]) => Promise<Float32Array>,
  opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void; block?: number } = {},
): Promise<Float32Array> {
  const n = rows.count;
  const block = Math.max(1, opts.block ?? PREDICT_BLOCK);
  const out = new Float32Array(n * k);
  for (let start = 0; start < n; start += block) {
    const texts = await rows.texts(null, textField, { from: start, to: start + block, signal: opts.signal });
    const p = await predict(texts);
    if (p.length !== texts.length * k)
      throw new Error(`the classifier returned ${p.length} probabilities for ${texts.length} rows of ${k} classes`);
    out.set(p, start * k);
    if (opts.signal?.aborted) throw new DOMException('the prediction was cancelled', 'AbortError');
    opts.onProgress?.(Math.min(n, start + block), n);
  }
  return out;
}
