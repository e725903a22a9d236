/**
 * Gold-label spellings that differ only in case or surrounding space (`SPAM`, `spam`, ` spam`),
 * found among a column's values for the import preview to offer a merge. Kept apart from the
 * readers so the page can use it without loading them.
 */

export interface ValueCount {
  value: string;
  count: number;
}

/** Spellings of one label that differ only in case or surrounding space, most frequent first. */
export interface LabelVariantGroup {
  /** The class name a merge gives: the first spelling seen, trimmed. */
  merged: string;
  spellings: ValueCount[];
}

/** The groups of values (of a label column) that a case- and space-insensitive merge would join. */
export function labelVariantGroups(values: readonly ValueCount[] | null | undefined): LabelVariantGroup[] {
  if (!values) return [];
  const groups = new Map<string, ValueCount[]>();
  for (const v of values) {
    if (v.value.trim() === '') continue;
    const key = v.value.trim().toLowerCase();
    const g = groups.get(key);
    if (g) g.push(v);
    else groups.set(key, [v]);
  }
  return [...groups.values()]
    .filter((g) => g.length > 1)
    .map((g) => ({ merged: g[0].value.trim(), spellings: g.slice().sort((a, b) => b.count - a.count) }));
}
