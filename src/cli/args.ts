/**
 * A small, strict flag parser for the CLI: `--name value` pairs only, unknown flags are an
 * error (a typo must not silently fall back to a default), every value validated by its caller.
 */
import { ShoalError } from '../core/types.ts';

export function parseFlags(args: string[], known: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (!flag.startsWith('--')) throw new ShoalError(`unexpected argument "${flag}"; options look like --name value`);
    const name = flag.slice(2);
    if (!known.includes(name)) throw new ShoalError(`unknown option --${name}; known: ${known.map((k) => '--' + k).join(', ')}`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) throw new ShoalError(`option --${name} needs a value`);
    out.set(name, value);
    i++;
  }
  return out;
}

export function oneOf<T extends string>(flags: Map<string, string>, name: string, allowed: readonly T[], fallback: T): T {
  const v = flags.get(name) ?? fallback;
  if (!allowed.includes(v as T)) throw new ShoalError(`--${name} must be one of ${allowed.join(', ')}, got "${v}"`);
  return v as T;
}

export function integer(flags: Map<string, string>, name: string, fallback: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isSafeInteger(v)) throw new ShoalError(`--${name} must be an integer, got "${raw}"`);
  return v;
}

export function required(flags: Map<string, string>, name: string): string {
  const v = flags.get(name);
  if (v === undefined) throw new ShoalError(`missing required option --${name}`);
  return v;
}
