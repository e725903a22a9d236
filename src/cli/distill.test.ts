import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../core/rng.ts';
import { type DistillTrainingSet, run, stripFirstToken } from './distill.ts';

const root = mkdtempSync(join(tmpdir(), 'shoal-distill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A generated WRENCH folder: two topics; LF 0 votes 0 on "goal", LF 1 votes 1 on "vote", LF 2
 * votes 1 on "today" (noise). Many rows contain neither keyword, so the label model abstains on
 * them and only the classifier can get them right.
 */
function writeDataset(name: string): string {
  const rng = mulberry32(5);
  const topics = [
    ['goal', 'match', 'team', 'score', 'coach'],
    ['vote', 'party', 'minister', 'election', 'senate'],
  ];
  const split = (n: number) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const c = rng() < 0.5 ? 0 : 1;
      const words = Array.from({ length: 4 }, () => topics[c][Math.floor(rng() * 5)]);
      if (rng() < 0.3) words.push('today');
      const text = words.join(' ');
      const weak = [text.includes('goal') ? 0 : -1, text.includes('vote') ? 1 : -1, text.includes('today') ? 1 : -1];
      out[String(i)] = { label: c, weak_labels: weak, data: { text } };
    }
    return out;
  };
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'train.json'), JSON.stringify(split(300)));
  writeFileSync(join(dir, 'valid.json'), JSON.stringify(split(60)));
  writeFileSync(join(dir, 'test.json'), JSON.stringify(split(120)));
  writeFileSync(join(dir, 'label.json'), JSON.stringify({ 0: 'sport', 1: 'politics' }));
  return dir;
}

describe('shoal distill', () => {
  it('prints exactly the contract keys; the classifier beats the label model beyond coverage; ONNX agrees', async () => {
    const out = (await run(['--data', writeDataset('topics'), '--label-model', 'mv', '--seed', '1'])) as Record<string, any>;
    expect(Object.keys(out)).toEqual(['dataset', 'label_model', 'classifier', 'onnx_max_abs_diff']);
    expect(Object.keys(out.label_model)).toEqual(['chosen', 'test']);
    expect(Object.keys(out.label_model.test).sort()).toEqual(['accuracy', 'coverage', 'f1']);
    // The contract's keys first; which targets it trained on (and why) extend it.
    expect(Object.keys(out.classifier).slice(0, 3)).toEqual(['test', 'train_ms', 'backend']);
    expect(out.classifier.trained_on).toEqual(expect.arrayContaining(['soft']));
    if (out.classifier.trained_on.length === 2)
      expect(out.classifier.targets_note).toMatch(/^trained twice: soft and hard targets differ on/);
    expect(Object.keys(out.classifier.test).sort()).toEqual(['accuracy', 'f1']);
    expect(out.dataset).toBe('topics');
    expect(out.label_model.chosen).toBe('mv');
    expect(out.label_model.test.coverage).toBeLessThan(0.9);
    expect(out.classifier.test.accuracy).toBeGreaterThan(out.label_model.test.accuracy);
    expect(out.classifier.test.accuracy).toBeGreaterThanOrEqual(0.95);
    // The default engine for momentum SGD (src/core/classifier/train.ts chooseEngine).
    expect(out.classifier.backend).toBe('typed-array');
    expect(out.classifier.train_ms).toBeGreaterThan(0);
    expect(out.onnx_max_abs_diff).toBeLessThanOrEqual(1e-5);
  });

  it('over --feature-budget trains on a seeded sample of the covered rows and says so in sample_note', async () => {
    const dir = writeDataset('budget');
    const full = (await run(['--data', dir, '--label-model', 'mv', '--seed', '1'])) as Record<string, any>;
    expect(full.classifier.sample_note).toBeUndefined();
    const out = (await run(['--data', dir, '--label-model', 'mv', '--seed', '1', '--feature-budget', '500'])) as Record<string, any>;
    expect(out.classifier.sample_note).toMatch(
      /^trained on a seeded random sample of \d+ of \d+ training rows: all of them would hold [\d,]+ hashed n-gram entries, over the memory budget of 500 \(the vocabulary still comes from all 300 texts\)$/,
    );
    expect(out.onnx_max_abs_diff).toBeLessThanOrEqual(1e-5);
    await expect(run(['--data', dir, '--feature-budget', '0'])).rejects.toThrow(/feature budget must be a positive integer/);
  });

  it('strips the leaked label word from trec test texts only', () => {
    expect(stripFirstToken('dist How far is it ?')).toBe('How far is it ?');
    expect(stripFirstToken('  desc   Who was Galileo ?')).toBe('Who was Galileo ?');
  });

  it('says which featurization it kept and hands the exact training set to a hook', async () => {
    const dir = writeDataset('features');
    let set: DistillTrainingSet | undefined;
    const auto = (await run(['--data', dir, '--label-model', 'mv', '--seed', '1'], { onTrainingSet: (s) => (set = s) })) as Record<
      string,
      any
    >;
    expect(auto.classifier.featurization_note).toBe(
      'trained 2 featurizations; the first is kept unless another lowers the dev Brier score by more than one standard error',
    );
    expect(['word 1–2', 'word 1–2 + char 1–5 ×0.3']).toContain(auto.classifier.featurization);
    expect(auto.classifier.train_cpu_ms).toBeGreaterThanOrEqual(0);
    // Rows with an LF vote only, the posterior of every train row, valid and test gold.
    expect(set!.trainTexts).toHaveLength(300);
    expect(set!.proba).toHaveLength(600);
    expect(set!.rows.length).toBeLessThan(300);
    for (const i of set!.rows) expect(set!.trainTexts[i]).toMatch(/goal|vote|today/);
    expect(set!.valid!.labels).toHaveLength(60);
    expect(set!.test.labels).toHaveLength(120);
    const word = (await run(['--data', dir, '--label-model', 'mv', '--seed', '1', '--features', 'word'])) as Record<string, any>;
    expect(word.classifier.featurization).toBe('word 1–2');
    expect(word.classifier.featurization_note).toBe('one featurization given');
    await expect(run(['--data', dir, '--features', 'chars'])).rejects.toThrow(/--features/);
  });

  it('rejects unknown options and missing data in one sentence', async () => {
    await expect(run(['--data', join(root, 'nope')])).rejects.toThrow(/directory not found/);
    await expect(run(['--data', root, '--model', 'mv'])).rejects.toThrow(/unknown option --model/);
  });
});
