/**
 * Stable content hash of an LF, the key of its cached votes (with the dataset version).
 *
 * Only what changes votes is hashed: the kind, its parameters, the code and the class list
 * (a code LF may return indices, so reordering classes changes its votes). Identity, name and
 * `enabled` are left out, so renaming or toggling an LF reuses its votes. Keys are sorted so the
 * hash does not depend on property order.
 */
import { sha1 } from '../sha1.ts';
import type { LfDef } from './types.ts';

const IGNORED = new Set(['id', 'name', 'enabled']);

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v as object)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** 40-hex SHA-1 of the LF's semantics and the class list. */
export function lfHash(def: LfDef, classes: readonly string[]): string {
  const semantic: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(def)) if (!IGNORED.has(k)) semantic[k] = v;
  return sha1(canonical({ lf: semantic, classes }));
}
