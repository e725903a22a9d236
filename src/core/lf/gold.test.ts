import { describe, expect, it } from 'vitest';
import { packRows, unpackRows, isColumnChunk } from './columns.ts';
import {
  allowedFields,
  goldRecord,
  hiddenFields,
  lfReadableFields,
  looksLikeItReadsTheAnswer,
  restrictChunk,
  templateReadsHiddenGold,
  withoutFields,
} from './gold.ts';
import type { RowChunk } from './types.ts';

describe('the gold column is not a field LFs may read', () => {
  const policy = { fields: ['text', 'speaker', 'party', 'year'], labelField: 'party' };

  it('is left out of the readable fields unless the user opted in', () => {
    expect(lfReadableFields(policy)).toEqual(['text', 'speaker', 'year']);
    expect(hiddenFields(policy)).toEqual(['party']);
    expect(lfReadableFields({ ...policy, lfsReadGold: true })).toEqual(['text', 'speaker', 'party', 'year']);
    expect(hiddenFields({ ...policy, lfsReadGold: true })).toEqual([]);
    expect(lfReadableFields({ fields: ['text', 'party'], labelField: null })).toEqual(['text', 'party']);
  });

  it('narrows what a reader is asked for: null (a code LF, every field) and named fields alike', () => {
    const allowed = lfReadableFields(policy);
    expect(allowedFields(null, allowed)).toEqual(['text', 'speaker', 'year']);
    expect(allowedFields(['party', 'text'], allowed)).toEqual(['text']);
  });

  it('drops the gold field from column chunks and from row chunks whose rows differ in keys', () => {
    const rows = [
      { text: 'a', speaker: 'x', party: 'D' },
      { text: 'b', speaker: 'y', party: 'R' },
    ];
    const packed = packRows({ start: 10, rows }, null)!;
    const cut = restrictChunk(packed, ['text', 'speaker']);
    expect(isColumnChunk(cut)).toBe(true);
    if (!isColumnChunk(cut)) return;
    expect(cut.fields).toEqual(['text', 'speaker']);
    expect(unpackRows(cut)).toEqual([
      { text: 'a', speaker: 'x' },
      { text: 'b', speaker: 'y' },
    ]);
    expect(cut.start).toBe(10);
    // Rows that cannot be packed (different keys) come as objects: the key goes all the same.
    const ragged: RowChunk = {
      start: 0,
      rows: [
        { text: 'a', party: 'D' },
        { party: 'R', text: 'b', extra: 1 },
      ],
    };
    const r = restrictChunk(ragged, ['text', 'extra']);
    expect(isColumnChunk(r)).toBe(false);
    expect((r as RowChunk).rows).toEqual([{ text: 'a' }, { text: 'b', extra: 1 }]);
    expect((r as RowChunk).rows.some((x) => 'party' in x)).toBe(false);
  });

  it('strips a hidden key from a row, and leaves rows without it untouched', () => {
    const row = { text: 'a', party: 'D' };
    expect(withoutFields(row, ['party'])).toEqual({ text: 'a' });
    expect('party' in withoutFields(row, ['party'])).toBe(false);
    const clean = { text: 'b' };
    expect(withoutFields(clean, ['party'])).toBe(clean);
  });
});

describe('"does this LF read the answer?"', () => {
  it('asks about an LF that is ≥ 99% right on at least half of the labelled rows', () => {
    expect(looksLikeItReadsTheAnswer(100, 0, 100)).toBe(true);
    expect(looksLikeItReadsTheAnswer(99, 1, 120)).toBe(true); // 99% on 83% of the rows
    expect(looksLikeItReadsTheAnswer(98, 2, 100)).toBe(false); // 98%: a good LF
    expect(looksLikeItReadsTheAnswer(40, 0, 100)).toBe(false); // precise but narrow: 40% coverage
    expect(looksLikeItReadsTheAnswer(10, 0, 12)).toBe(false); // too few votes to tell
    expect(looksLikeItReadsTheAnswer(0, 0, 0)).toBe(false);
  });

  it('counts an LF’s record on the labelled rows of a split', () => {
    // votes over 6 dataset rows; the split is rows 1, 3, 5 with gold 0, -1, 1
    const votes = Int8Array.from([1, 0, 1, 1, -1, 0]);
    expect(goldRecord(votes, [1, 3, 5], [0, -1, 1])).toEqual({ correct: 1, incorrect: 1, labeled: 2 });
    expect(goldRecord(votes, [4], [1])).toEqual({ correct: 0, incorrect: 0, labeled: 1 });
  });
});

describe('a template LF pointed at the hidden gold column', () => {
  it('is named, so the LF list can say why it abstains everywhere', () => {
    const onGold = {
      id: 'a',
      name: 'a',
      enabled: true,
      kind: 'keyword',
      label: 'R',
      field: 'party',
      keywords: ['R'],
      mode: 'any',
      match: 'word',
      caseSensitive: true,
    } as const;
    expect(templateReadsHiddenGold(onGold, { labelField: 'party' })).toBe('party');
    expect(templateReadsHiddenGold(onGold, { labelField: 'party', lfsReadGold: true })).toBeNull();
    expect(templateReadsHiddenGold({ ...onGold, field: 'text' }, { labelField: 'party' })).toBeNull();
    expect(templateReadsHiddenGold({ ...onGold, field: undefined }, { labelField: 'party' })).toBeNull();
    expect(
      templateReadsHiddenGold({ id: 'c', name: 'c', enabled: true, kind: 'code', source: '(x) => x.party' }, { labelField: 'party' }),
    ).toBeNull();
  });
});
