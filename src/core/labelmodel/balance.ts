/**
 * Class balance P(Y) for the label models, in Snorkel's order of preference: a balance the user
 * typed, one estimated from dev labels, or uniform. Returned normalised and floored so that no
 * class gets probability 0 (a zero prior would make that class unreachable, silently).
 */
import { ShoalError } from '../types.ts';

export type BalanceSource = 'given' | 'dev' | 'uniform';

const FLOOR = 1e-4;

export function normaliseBalance(values: ArrayLike<number>, k: number, what = 'class balance'): Float64Array {
  if (values.length !== k) throw new ShoalError(`${what} has ${values.length} entries, expected one per class (${k})`);
  const out = new Float64Array(k);
  let total = 0;
  for (let y = 0; y < k; y++) {
    const v = values[y];
    if (!Number.isFinite(v) || v < 0) throw new ShoalError(`${what} entry ${y} is ${v}; entries must be non-negative numbers`);
    total += v;
  }
  if (total <= 0) throw new ShoalError(`${what} sums to 0; give at least one positive entry`);
  let floored = 0;
  for (let y = 0; y < k; y++) floored += out[y] = Math.max(values[y] / total, FLOOR);
  for (let y = 0; y < k; y++) out[y] /= floored;
  return out;
}

export function uniformBalance(k: number): Float64Array {
  return new Float64Array(k).fill(1 / k);
}

export function balanceFromLabels(labels: ArrayLike<number>, k: number): Float64Array {
  const counts = new Float64Array(k);
  let seen = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y >= 0 && y < k) {
      counts[y]++;
      seen++;
    }
  }
  if (seen === 0) return uniformBalance(k);
  return normaliseBalance(counts, k, 'dev label counts');
}

/** Resolve the balance a model should use and say where it came from. */
export function resolveBalance(
  k: number,
  opts: { classBalance?: ArrayLike<number>; devY?: ArrayLike<number>; prefer?: BalanceSource },
): { balance: Float64Array; source: BalanceSource } {
  if (opts.classBalance) return { balance: normaliseBalance(opts.classBalance, k), source: 'given' };
  if (opts.prefer !== 'uniform' && opts.devY && opts.devY.length > 0) {
    return { balance: balanceFromLabels(opts.devY, k), source: 'dev' };
  }
  return { balance: uniformBalance(k), source: 'uniform' };
}
