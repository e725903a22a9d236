/**
 * Suggestions and the look-here-next queue over a project on the in-memory storage twin: rows
 * streamed from storage, counts checked against a plain count over the CSV, and an accepted
 * suggestion saved and run through the session votes on exactly the rows it said it would.
 */
import { describe, expect, it, vi } from 'vitest';
import type { LfDef } from '../core/lf/index.ts';
import { rowTerms } from '../core/suggest/terms.ts';
import { computeSuggestions, knownTerms, rankingRule, suggestSourceOf, termLf, termLfName, type SuggestSource } from './lf-suggestions.ts';
import { memorySessionDeps } from './session-testing.ts';
import { Session } from './session.svelte.ts';

interface CsvRow {
  text: string;
  from: string;
  label: string;
  split: string;
}

/**
 * Dev: 12 spam rows say "winner" (8 from promo@x.com), 12 ham rows say "lunch"; "money" is in
 * 4 of each. Train: 16 "winner" rows (8 with "money", which an LF covers), 10 "lunch" rows, and
 * 12 rows about a "zebra crossing" that nothing covers and dev gold never mentions.
 */
function rows(): CsvRow[] {
  const out: CsvRow[] = [];
  for (let i = 0; i < 12; i++)
    out.push({
      text: `you are a winner ${i}${i < 4 ? ' money' : ''}`,
      from: i < 8 ? 'promo@x.com' : `p${i}@x.com`,
      label: 'spam',
      split: 'dev',
    });
  for (let i = 0; i < 12; i++) out.push({ text: `lunch at ${i}${i < 4 ? ' money' : ''}`, from: `h${i}@y.org`, label: 'ham', split: 'dev' });
  for (let i = 0; i < 16; i++)
    out.push({
      text: `winner number ${i}${i < 8 ? ' money' : ''}`,
      from: i < 5 ? 'Promo@x.com ' : `t${i}@x.com`,
      label: '',
      split: 'train',
    });
  for (let i = 0; i < 10; i++) out.push({ text: `lunch at ${i + 20}`, from: `u${i}@y.org`, label: '', split: 'train' });
  for (let i = 0; i < 12; i++) out.push({ text: `zebra crossing ${i}`, from: `z${i}@z.net`, label: '', split: 'train' });
  out.push({ text: 'held out winner', from: 'promo@x.com', label: 'spam', split: 'test' });
  return out;
}

const csv = (rs: CsvRow[]) => ['text,from,label,split', ...rs.map((r) => [r.text, r.from, r.label, r.split].join(','))].join('\n');

const moneyLf: LfDef = {
  id: 'lf_money',
  name: 'money',
  enabled: true,
  kind: 'keyword',
  label: 'spam',
  keywords: ['money'],
  mode: 'any',
  match: 'word',
  caseSensitive: false,
};

async function openProject(): Promise<{ s: Session; data: CsvRow[] }> {
  const { deps } = memorySessionDeps();
  const s = new Session(deps);
  await s.init();
  const data = rows();
  const outcome = await s.importFiles(
    [new File([csv(data)], 'mail.csv', { type: 'text/csv' })],
    { name: 'mail', labelField: 'label', classes: ['ham', 'spam'], split: { kind: 'column', field: 'split' } },
    { name: 'Mail' },
  );
  if (!outcome.ok) throw new Error(outcome.message);
  const saved = await s.saveLf(moneyLf);
  await vi.waitFor(() => expect(s.runOf(saved.id)?.status).toBe('ok'));
  return { s, data };
}

function source(s: Session, model: SuggestSource['model'] = null): SuggestSource {
  const src = suggestSourceOf(s, model);
  if (!src) throw new Error('no dataset');
  return src;
}

describe('LF suggestions over stored rows', () => {
  it('counts what a plain count over the rows gives, and says which LF each becomes', async () => {
    const { s, data } = await openProject();
    const progress: number[] = [];
    const report = await computeSuggestions(source(s), { onProgress: (f) => progress.push(f) });
    expect(report.devRows).toBe(24);
    expect(report.trainRows).toBe(38);
    expect(report.trainUncovered).toBe(30);
    expect(progress[progress.length - 1]).toBe(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);

    // Every suggestion's figures, recounted from the CSV with the same terms.
    const covered = (r: CsvRow) => /\bmoney\b/.test(r.text);
    const termsOf = (r: CsvRow) => rowTerms({ text: r.text, from: r.from }, 'text', ['from']);
    expect(report.suggestions.length).toBeGreaterThan(0);
    for (const sg of report.suggestions) {
      const dev = data.filter((r) => r.split === 'dev' && termsOf(r).has(sg.term));
      const train = data.filter((r) => r.split === 'train' && termsOf(r).has(sg.term));
      expect(sg.devN).toBe(dev.length);
      expect(sg.devCorrect).toBe(dev.filter((r) => r.label === sg.labelName).length);
      expect(sg.train).toBe(train.length);
      expect(sg.trainNew).toBe(train.filter((r) => !covered(r)).length);
    }
    const winner = report.suggestions.find((x) => x.term === 'winner')!;
    expect(winner).toMatchObject({ labelName: 'spam', devN: 12, accuracy: 1, train: 16, trainNew: 8 });
    expect(report.suggestions.find((x) => x.what.kind === 'value')).toMatchObject({
      what: { kind: 'value', field: 'from', value: 'promo@x.com' },
      labelName: 'spam',
      devN: 8,
      train: 5,
    });
    // "money" is in 4 dev rows of each class: no better than chance, never suggested.
    expect(report.suggestions.some((x) => x.term === 'money')).toBe(false);
    // The best one covers the most new rows at full accuracy: the ham "lunch" rows.
    expect(report.suggestions[0]).toMatchObject({ labelName: 'ham', devN: 12, accuracy: 1, trainNew: 10 });
    expect(rankingRule(report.rule)).toMatch(/^Ranked by how far the 95% lower bound of dev accuracy \(Wilson\) lies above/);
  });

  it('saves an accepted suggestion as a template LF that votes on exactly the rows it counted', async () => {
    const { s } = await openProject();
    const report = await computeSuggestions(source(s));
    for (const sg of [report.suggestions.find((x) => x.term === 'winner')!, report.suggestions.find((x) => x.what.kind === 'value')!]) {
      const def = await s.saveLf(termLf(sg.what, sg.labelName));
      await vi.waitFor(() => expect(s.runOf(def.id)?.status).toBe('ok'));
      const votes = s.runs.get(def.id)!.votes!;
      const moneyVotes = s.runs.get(moneyLf.id)!.votes!;
      const trainRows = Array.from(s.splitIndex.train);
      expect(trainRows.filter((i) => votes[i] === 1).length).toBe(sg.train);
      expect(trainRows.filter((i) => votes[i] === 1 && moneyVotes[i] < 0).length).toBe(sg.trainNew);
      expect(Array.from(s.splitIndex.dev).filter((i) => votes[i] >= 0).length).toBe(sg.devN);
    }
    expect(s.lfs.map((l) => l.name)).toEqual(['money', 'kw_winner', 'from_is_promo_x_com']);
    // Once they are LFs, neither term is suggested again.
    expect([...knownTerms(s.lfs, 'text')].sort()).toEqual(['\u0000from\u0000promo@x.com', 'money', 'winner']);
    const again = await computeSuggestions(source(s));
    expect(again.suggestions.some((x) => x.term === 'winner' || x.what.kind === 'value')).toBe(false);
    expect(again.suggestions.length).toBeGreaterThan(0);
    expect(termLfName({ kind: 'words', text: 'click here' })).toBe('kw_click_here');
  });

  it('queues the uncovered train rows by the model’s uncertainty and groups them by shared words', async () => {
    const { s } = await openProject();
    const train = Array.from(s.splitIndex.train);
    const texts = await s.dataset!.rows.texts(Uint32Array.from(train), 'text');
    // The label model is least sure about the zebra rows.
    const trainProba = Float32Array.from(texts.flatMap((t) => (t.startsWith('zebra') ? [0.45, 0.55] : [0.9, 0.1])));
    const report = await computeSuggestions(source(s, { kind: 'label model', trainProba }), { queueSize: 12 });
    expect(report.queue).toMatchObject({ uncovered: 30, conflicts: 0, head: 12, orderedBy: 'label model' });
    const zebra = report.groups.find((g) => g.term === 'zebra crossing')!;
    expect(zebra.rows).toHaveLength(12);
    expect(zebra).toMatchObject({ train: 12, trainNew: 12, guess: { label: 1, from: 'model' } });
    expect(zebra.lift).toBeCloseTo(12 / 12 / (12 / 38), 12);
    const texted = await s.dataset!.rows.get(zebra.rows);
    expect(texted.every((r) => String(r.text).startsWith('zebra crossing'))).toBe(true);
    // "zebra", "crossing" and "zebra crossing" cover the same rows: one group, the pair.
    expect(report.groups.filter((g) => g.rows.length === 12)).toHaveLength(1);
  });

  it('asks a classifier only about the rows no LF covers, and stops when cancelled', async () => {
    const { s } = await openProject();
    const asked: string[] = [];
    const predict = async (t: string[]) => {
      asked.push(...t);
      return Float32Array.from(t.flatMap((x) => (x.startsWith('lunch') ? [0.5, 0.5] : [0.99, 0.01])));
    };
    const report = await computeSuggestions(source(s, { kind: 'classifier', predict }), { queueSize: 10, block: 7 });
    expect(asked).toHaveLength(30);
    expect(asked.some((t) => t.includes('money'))).toBe(false);
    expect(report.queue.orderedBy).toBe('classifier');
    const lunch = report.groups.find((g) => g.term === 'lunch at')!;
    expect(lunch.rows).toHaveLength(10);
    // "lunch at" has 12 labelled dev rows, all ham: the label comes from dev gold.
    expect(lunch.guess).toEqual({ label: 0, from: 'dev gold' });

    const ac = new AbortController();
    const run = computeSuggestions(source(s), {
      signal: ac.signal,
      onProgress: () => ac.abort(),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });
});
