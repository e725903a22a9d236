/**
 * LF names are unique within a project (the label matrix, exports and the project file name
 * LFs by name). One rule for every place that has to make a name unique — saving, renaming,
 * copying, restoring, importing a project file and storing a dataset's own weak-label columns.
 */

/** `name`, or `name_2`, `name_3`… — the first not used by another LF. */
export function uniqueLfName(name: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base = name.trim() || 'lf';
  if (!used.has(base)) return base;
  const stem = base.replace(/_\d+$/, '');
  let i = 2;
  while (used.has(`${stem}_${i}`)) i++;
  return `${stem}_${i}`;
}
