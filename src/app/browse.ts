/**
 * The data browser's filter: which dataset rows pass the split / LF-vote / conflict /
 * all-abstain / gold / text filters, as an index array (columnar; no per-row objects), so the
 * virtualized list renders only the rows in view.
 */
export interface BrowseFilter {
  /** Split code (index into train/dev/test), or null for all. */
  split: number | null;
  /** One LF's votes over the dataset and what to keep: rows it votes on, abstains on, or votes a class. */
  lf: { votes: Int8Array | null; mode: 'fires' | 'abstains' | number } | null;
  /** Rows where the enabled LFs vote at least two different classes. */
  conflicts: boolean;
  /** Rows where every enabled LF abstains. */
  allAbstain: boolean;
  /** Gold class, -1 for rows without gold, null for any. */
  gold: number | null;
  /** Case-insensitive substring of the text field. */
  search: string;
}

export function filterRows(
  rows: readonly Record<string, unknown>[],
  split: Uint8Array,
  gold: Int8Array,
  columns: readonly Int8Array[],
  f: BrowseFilter,
  textField = 'text',
): Uint32Array {
  const n = rows.length;
  const out = new Uint32Array(n);
  let k = 0;
  const q = f.search.trim().toLowerCase();
  const lf = f.lf && f.lf.votes ? f.lf : null;
  const m = columns.length;
  for (let i = 0; i < n; i++) {
    if (f.split !== null && split[i] !== f.split) continue;
    if (f.gold !== null && gold[i] !== f.gold) continue;
    if (lf) {
      const v = lf.votes![i];
      if (lf.mode === 'fires' ? v < 0 : lf.mode === 'abstains' ? v >= 0 : v !== lf.mode) continue;
    }
    if (f.conflicts || f.allAbstain) {
      let first = -1;
      let conflict = false;
      for (let j = 0; j < m; j++) {
        const v = columns[j][i];
        if (v < 0) continue;
        if (first < 0) first = v;
        else if (v !== first) {
          conflict = true;
          break;
        }
      }
      if (f.conflicts && !conflict) continue;
      if (f.allAbstain && first >= 0) continue;
    }
    if (q && !String(rows[i][textField] ?? '').toLowerCase().includes(q)) continue;
    out[k++] = i;
  }
  return out.slice(0, k);
}
