import { describe, expect, it } from 'vitest';
import { randomSplit, resolvePlan, RowShaper, type ResolvedPlan } from './import-plan.ts';
import type { ParseIssue, Row } from './types.ts';

const isIssue = (x: unknown): x is ParseIssue => typeof x === 'object' && x !== null && 'code' in x && 'reason' in x;

function plan(columns: string[], options = {}): ResolvedPlan {
  const p = resolvePlan(columns, options, 'f.csv');
  if (isIssue(p)) throw new Error(p.reason);
  return p;
}

describe('resolvePlan', () => {
  it('defaults: text → x.text, label → gold, every other column readable, 80/10/10 split', () => {
    const p = plan(['id', 'text', 'label']);
    expect(p).toMatchObject({
      textFields: ['text'],
      fields: ['id', 'text'],
      labelField: 'label',
      lfsReadGold: false,
      split: { kind: 'random', fractions: [0.8, 0.1, 0.1] },
    });
    expect(plan(['body', 'x']).textFields).toEqual(['body']);
    expect(plan(['text'], { labelField: null }).labelField).toBeUndefined();
  });

  it('names a missing column with the columns the file has', () => {
    const p = resolvePlan(['a', 'b'], { textFields: ['body'] }, 'f.csv');
    expect(p).toMatchObject({ code: 'missing-column', reason: 'has no column "body" (chosen as a text field); its columns are "a", "b"' });
    expect(resolvePlan(['text'], { split: { kind: 'column', field: 'fold' } }, 'f.csv')).toMatchObject({ code: 'missing-column' });
    expect(resolvePlan(['text'], { labelField: 'y' }, 'f.csv')).toMatchObject({ code: 'missing-column' });
    expect(resolvePlan(['text'], { classes: ['only'] }, 'f.csv')).toMatchObject({ code: 'unsupported' });
  });
});

describe('the gold column stays out of the rows LFs read', () => {
  it('is dropped from the fields, also when named among them, unless the user opted in', () => {
    expect(plan(['text', 'speaker', 'party'], { labelField: 'party' }).fields).toEqual(['text', 'speaker']);
    expect(plan(['text', 'speaker', 'party'], { labelField: 'party', fields: ['speaker', 'party'] }).fields).toEqual(['speaker']);
    const optIn = plan(['text', 'speaker', 'party'], { labelField: 'party', fields: ['speaker', 'party'], lfsReadGold: true });
    expect(optIn).toMatchObject({ fields: ['speaker', 'party'], lfsReadGold: true });
    // Without a gold column there is nothing to opt into.
    expect(plan(['text', 'party'], { labelField: null, lfsReadGold: true })).toMatchObject({
      fields: ['text', 'party'],
      lfsReadGold: false,
    });
  });

  it('refuses the gold column as text, unless the user opted in', () => {
    const p = resolvePlan(['speech', 'party'], { textFields: ['speech', 'party'], labelField: 'party' }, 'f.csv');
    expect(p).toMatchObject({ code: 'unsupported', reason: expect.stringContaining('gold label column "party" as text') });
    expect(
      isIssue(resolvePlan(['speech', 'party'], { textFields: ['speech', 'party'], labelField: 'party', lfsReadGold: true }, 'f.csv')),
    ).toBe(false);
  });

  it('stores rows without the gold value, and the gold as labels', () => {
    const s = new RowShaper(plan(['text', 'speaker', 'party'], { labelField: 'party', classes: ['D', 'R'] }), 'f.csv');
    expect(s.shape({ text: 'taxes', speaker: 'A', party: 'R' }, 1)).toEqual({ ok: true, row: { text: 'taxes', speaker: 'A' } });
    expect(Array.from(s.finish().gold)).toEqual([1]);
    const open = new RowShaper(plan(['text', 'party'], { labelField: 'party', classes: ['D', 'R'], lfsReadGold: true }), 'f.csv');
    expect(open.shape({ text: 'taxes', party: 'R' }, 1)).toEqual({ ok: true, row: { text: 'taxes', party: 'R' } });
  });
});

describe('RowShaper', () => {
  it('joins several text fields into x.text and keeps the chosen fields', () => {
    const s = new RowShaper(plan(['subject', 'body', 'from'], { textFields: ['subject', 'body'], fields: ['from'] }), 'f.csv');
    expect(s.shape({ subject: 'Hi', body: null, from: 'a@b' }, 1)).toEqual({ ok: true, row: { text: 'Hi\n', from: 'a@b' } });
  });

  it('maps gold values to class indices, accepts indices and case variants, reports unknown values', () => {
    const s = new RowShaper(plan(['text', 'label'], { classes: ['ham', 'spam'] }), 'f.csv');
    const vals = ['spam', 'ham', 'SPAM', '1', 0, '', null, 'eggs', 'eggs', '-1', 7];
    vals.forEach((v, i) => s.shape({ text: 't', label: v } as Row, i + 1));
    const out = s.finish();
    expect(Array.from(out.gold)).toEqual([1, 0, 1, 1, 0, -1, -1, -1, -1, -1, -1]);
    expect(out.unknownLabels).toEqual({ eggs: 2, 7: 1 });
    expect(out.labeled).toBe(5);
    expect(out.classes).toEqual(['ham', 'spam']);
  });

  it('infers classes in order of appearance when none are given', () => {
    const s = new RowShaper(plan(['text', 'label']), 'f.csv');
    for (const v of ['pos', 'neg', 'pos', '', 'neu']) s.shape({ text: 't', label: v }, 1);
    const out = s.finish();
    expect(out.classes).toEqual(['pos', 'neg', 'neu']);
    expect(Array.from(out.gold)).toEqual([0, 1, 0, -1, 2]);
  });

  it('reports duplicate ids and bad split values as row issues', () => {
    const s = new RowShaper(plan(['id', 'text', 'fold'], { idField: 'id', split: { kind: 'column', field: 'fold' } }), 'f.csv');
    expect(s.shape({ id: 'a', text: 't', fold: 'train' }, 1).ok).toBe(true);
    expect(s.shape({ id: 'a', text: 't', fold: 'test' }, 2)).toMatchObject({
      ok: false,
      issue: { code: 'duplicate-id', row: 2, reason: 'id "a" is already used by row 1; ids must be unique' },
    });
    expect(s.shape({ id: 'b', text: 't', fold: 'holdout' }, 3)).toMatchObject({ ok: false, issue: { code: 'bad-split', row: 3 } });
    s.shape({ id: 'c', text: 't', fold: 'Valid' }, 4);
    const out = s.finish();
    expect(Array.from(out.split)).toEqual([0, 1]);
    expect(out.ids).toEqual(['a', 'c']);
    expect(out.splitCounts).toEqual({ train: 1, dev: 1, test: 0 });
  });

  it('splits by seeded fractions with exact counts, the same for the same seed', () => {
    const a = randomSplit(new Uint8Array(1001), [0.8, 0.1, 0.1], 42);
    const b = randomSplit(new Uint8Array(1001), [0.8, 0.1, 0.1], 42);
    const c = randomSplit(new Uint8Array(1001), [0.8, 0.1, 0.1], 43);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const count = (x: Uint8Array, v: number) => x.filter((y) => y === v).length;
    expect([count(a, 0), count(a, 1), count(a, 2)]).toEqual([801, 100, 100]);
    // Unnormalised fractions are normalised; zero dev gives no dev rows.
    const d = randomSplit(new Uint8Array(10), [3, 0, 1], 1);
    expect([count(d, 0), count(d, 1), count(d, 2)]).toEqual([8, 0, 2]);
  });
});
