import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../core/matrix.ts';
import { createLabelModel } from '../core/labelmodel/index.ts';
import { explainerOf } from '../core/labelmodel/attribution.ts';
import type { LfDef } from '../core/lf/types.ts';
import { oddsText, positionInSplit, rowDetail, rowHref, rowLink, type RowDetailInput } from './row-detail.ts';
import { applySeed, lfHref, lfLink, newLfHref, seedWords } from './lf-links.ts';
import { newDraft } from './lfs.ts';

// Six rows: train 0, 2, 4; dev 1, 3; test 5. Two enabled LFs and one disabled.
const split = Uint8Array.from([0, 1, 0, 1, 0, 2]);
const splitIndex = { train: Uint32Array.from([0, 2, 4]), dev: Uint32Array.from([1, 3]), test: Uint32Array.from([5]) };
const a = Int8Array.from([1, 1, -1, 0, 1, -1]);
const b = Int8Array.from([1, 0, -1, 0, -1, 1]);
const off = Int8Array.from([0, 0, 0, 0, 0, 0]);
const classes = ['ham', 'spam'];

async function input(name: string): Promise<RowDetailInput> {
  const bySplit = (rows: Uint32Array) =>
    new LabelMatrix(
      rows.length,
      2,
      [a, b].map((c) => Int8Array.from(rows, (i) => c[i])),
    );
  const train = new LabelMatrix(6, 2, [a, b]);
  const model = createLabelModel(name);
  await model.fit(train, {});
  return {
    row: 1,
    split,
    splitIndex,
    fullGold: Int8Array.from([-1, 0, -1, 1, -1, 1]),
    classes,
    lfs: [
      { id: 'a', name: 'lf_a', enabled: true, votes: a },
      { id: 'b', name: 'lf_b', enabled: true, votes: b },
      { id: 'c', name: 'lf_off', enabled: false, votes: off },
      { id: 'd', name: 'lf_new', enabled: true, votes: null },
    ],
    modelVotes: { version: 3, lfIds: ['a', 'b'], full: [a, b] },
    lm: {
      versionId: 'v1',
      votesVersion: 3,
      name,
      proba: {
        train: model.predictProba(bySplit(splitIndex.train)),
        dev: model.predictProba(bySplit(splitIndex.dev)),
        test: model.predictProba(bySplit(splitIndex.test)),
      },
      explainer: explainerOf(model),
    },
    versionId: 'v1',
    clf: { proba: { dev: Float32Array.from([0.2, 0.8, 0.9, 0.1]), test: Float32Array.from([0.4, 0.6]) } },
  };
}

describe('rowDetail', () => {
  it('gives a dev row its position, gold, every vote, the posterior, the classifier and the pushes that sum to its log-odds', async () => {
    const d = rowDetail(await input('wmv'))!;
    expect(d.split).toBe('dev');
    expect(d.pos).toBe(0);
    expect(d.gold).toBe(0);
    expect(d.votes.map((v) => [v.name, v.vote])).toEqual([
      ['lf_a', 1],
      ['lf_b', 0],
      ['lf_off', 0],
      ['lf_new', null],
    ]);
    expect(d.classifier).toEqual(Array.from(Float32Array.from([0.2, 0.8])));
    const at = d.attribution!;
    expect(at.terms.map((t) => t.id).sort()).toEqual(['a', 'b']);
    const sum = at.prior + at.terms.reduce((s, t) => s + t.push, 0);
    expect(sum).toBeCloseTo(at.logOdds, 9);
    expect(Math.log(d.posterior![at.top] / d.posterior![at.runnerUp])).toBeCloseTo(at.logOdds, 5);
    // Sorted by magnitude; the disabled LF is not in the model and has no push.
    expect(Math.abs(at.terms[0].push)).toBeGreaterThanOrEqual(Math.abs(at.terms[1].push));
    expect(d.votes.find((v) => v.id === 'c')!.push).toBeNull();
  });

  it('says why there are no pushes for majority vote, and leaves out a fit of other votes', async () => {
    const mv = rowDetail(await input('mv'))!;
    expect(mv.attribution).toBeNull();
    expect(mv.attributionNote).toMatch(/Majority vote/);
    expect(mv.posterior).not.toBeNull();
    const x = await input('ds');
    const stale = rowDetail({ ...x, modelVotes: { ...x.modelVotes!, version: 4 } })!;
    expect(stale.posterior).toBeNull();
    expect(stale.attribution).toBeNull();
    expect(stale.notes.join(' ')).toMatch(/LFs changed/);
    expect(rowDetail({ ...x, lm: { ...x.lm!, explainer: null } })!.attributionNote).toMatch(/refit/);
  });

  it('a train row has no kept classifier prediction (the row view predicts it); an all-abstain row gets only the prior', async () => {
    const d = rowDetail({ ...(await input('metal')), row: 2 })!;
    expect(d.split).toBe('train');
    expect(d.classifier).toBeNull();
    expect(d.attribution!.allAbstain).toBe(true);
    expect(d.attribution!.logOdds).toBeCloseTo(d.attribution!.prior, 12);
  });

  it('a row outside the dataset is null', async () => {
    expect(rowDetail({ ...(await input('mv')), row: 6 })).toBeNull();
    expect(rowDetail({ ...(await input('mv')), row: -1 })).toBeNull();
  });
});

describe('links and seeds', () => {
  it('row links round-trip, and refuse what is not a row number', () => {
    expect(rowLink(rowHref(41))).toBe(41);
    expect(rowLink('#/row?i=abc')).toBeNull();
    expect(rowLink('#/row')).toBeNull();
  });
  it('LF links round-trip a keyword seed, a lookup seed and an LF id', () => {
    expect(lfLink(lfHref('lf_1'))).toEqual({ lf: 'lf_1' });
    expect(lfLink(newLfHref({ kind: 'keyword', label: 'spam', keywords: ['viagra', 'click here'] }))).toEqual({
      seed: { kind: 'keyword', label: 'spam', keywords: ['viagra', 'click here'], name: undefined },
    });
    const lookup = lfLink(newLfHref({ kind: 'lookup', label: 'ham', field: 'author', value: 'A & B' }));
    expect(lookup).toEqual({ seed: { kind: 'lookup', label: 'ham', field: 'author', value: 'A & B', name: undefined } });
    const d = applySeed(newDraft(classes), (lookup as { seed: Parameters<typeof applySeed>[1] }).seed, classes);
    expect([d.kind, d.label, d.field, d.lookup, d.lookupMatch]).toEqual(['lookup', 'ham', 'author', 'A & B', 'value']);
  });
  it('seed words skip common words, numbers and keywords an LF already has; longest first', () => {
    const lfs = [{ kind: 'keyword', keywords: ['Lottery'] } as unknown as LfDef];
    expect(seedWords('You have won the LOTTERY: claim 1000000 dollars tonight with this voucher', lfs)).toEqual([
      'dollars',
      'tonight',
      'voucher',
    ]);
  });
  it('oddsText reads nats as an odds ratio', () => {
    expect(oddsText(Math.log(4))).toBe('+1.39 nats (×4.0 odds)');
    expect(oddsText(-Math.log(20))).toBe('−3.00 nats (×20 odds)');
  });
  it('positionInSplit finds a row in its split, and -1 otherwise', () => {
    expect(positionInSplit(splitIndex.dev, 3)).toBe(1);
    expect(positionInSplit(splitIndex.dev, 2)).toBe(-1);
  });
});
