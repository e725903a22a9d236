/**
 * Which featurization the distilled classifier uses, chosen on dev gold: `distill` once per
 * candidate feature spec (each run itself trying soft and hard targets), then the label models'
 * selection rule on the candidates' dev predictions (core/labelmodel/select.ts `selectPaired`:
 * stratified paired bootstrap, one standard error): the first candidate (the caller's features)
 * is kept unless another beats it on dev by more than the standard error of their difference.
 * A dev set of 120–500 rows cannot tell two featurizations a point apart (trec: char n-grams 1.2
 * points better on 500 dev rows, 0.4–0.8 worse on test).
 *
 * Why: character n-grams of the words (`char_wb`) help short, noisy texts whose decisive cues are
 * spellings, digits and word pieces (SMS spam: "txt", "150p", "£1000" split into pieces), and hurt
 * sets whose classes are carried by whole words (relation classification, semeval). No fixed
 * featurization wins on every set; the dev set can tell them apart when the gap is real. Measured
 * on the WRENCH sets with this rule (bench:distill, bench/NOTES.md).
 *
 * Why only up to `CHAR_CANDIDATE_MAX_ROWS` training rows: char n-grams multiply the features per
 * row about ten-fold and the training time 2–4×, and a large set already has enough word
 * evidence; the candidates after the first are skipped beyond it (the note says so).
 */
import { selectPaired } from '../labelmodel/select.ts';
import { predictLabels } from '../metrics.ts';
import type { Metric } from '../types.ts';
import type { FeatureSpec } from './featurize.ts';
import { type DistillInput, type DistillOptions, type DistillResult, distill } from './index.ts';
import { type DistilledClassifier, predictTexts } from './model.ts';

/** The second candidate `shoal distill` tries: word 1–2-grams plus char 1–5-grams of each word at weight 0.3. */
export const CHAR_CANDIDATE: Partial<FeatureSpec> = { charNgrams: [1, 5] };

/** Above this many training rows only the first candidate trains (see the header). */
export const CHAR_CANDIDATE_MAX_ROWS = 20_000;

export interface FeatureChoice {
  /**
   * One entry per candidate that trained, in order; `se`: standard error of (best − this) on the
   * dev bootstrap, `tied`: within it of the best (absent when one candidate trained).
   */
  candidates: { features: string; bestDevScore?: number; targets: 'soft' | 'hard'; ms: number; se?: number; tied?: boolean }[];
  /** Index into `candidates` of the kept run. */
  chosen: number;
  /** Why one or several candidates trained, in one sentence. */
  note: string;
}

/** "word 1–2 + char 1–5 ×0.3": a feature spec in the words the notes and the CLI use. */
export function describeFeatures(f: FeatureSpec): string {
  const parts: string[] = [];
  if (f.wordNgrams[1] > 0) parts.push(`word ${f.wordNgrams[0]}–${f.wordNgrams[1]}`);
  if (f.charNgrams[1] > 0) parts.push(`char ${f.charNgrams[0]}–${f.charNgrams[1]} ×${f.charWeight}`);
  return parts.join(' + ') || 'none';
}

/** What `chooseFeatures` needs of a training run (`distill`'s result, or the streamed one's). */
export interface FeatureRun {
  classifier: DistilledClassifier;
  train: { bestDevScore?: number; targets: 'soft' | 'hard' };
  candidates: { ms: number }[];
}

/**
 * `train` once per candidate (the first is `base`, the caller's features; each extra one merged
 * over it), then the paired rule above on their dev predictions. Without dev labels, or with more
 * than `maxRows` training rows, only the first trains.
 */
export async function chooseFeatures<R extends FeatureRun>(
  train: (features: Partial<FeatureSpec> | undefined) => Promise<R>,
  ctx: {
    base?: Partial<FeatureSpec>;
    trainRows: number;
    k: number;
    dev?: { texts: readonly string[]; labels: ArrayLike<number> };
    metric?: Metric;
    seed?: number;
  },
  extra: Partial<FeatureSpec>[] = [CHAR_CANDIDATE],
  maxRows = CHAR_CANDIDATE_MAX_ROWS,
): Promise<R & { featureChoice: FeatureChoice }> {
  const { trainRows, dev } = ctx;
  const hasDev = !!dev && dev.labels.length > 0;
  const specs: (Partial<FeatureSpec> | undefined)[] = [ctx.base];
  let note: string;
  if (extra.length === 0) note = 'one featurization given';
  else if (!hasDev) note = 'trained one featurization: no dev labels to choose between several';
  else if (trainRows > maxRows)
    note = `trained one featurization: ${trainRows.toLocaleString('en-US')} training rows, above the ${maxRows.toLocaleString('en-US')} up to which char n-grams are tried`;
  else {
    for (const e of extra) specs.push({ ...ctx.base, ...e });
    note = `trained ${specs.length} featurizations; the first is kept unless another beats it on dev by more than one standard error`;
  }
  const runs: R[] = [];
  const candidates: FeatureChoice['candidates'] = [];
  for (const features of specs) {
    const r = await train(features);
    runs.push(r);
    candidates.push({
      features: describeFeatures(r.classifier.features),
      bestDevScore: r.train.bestDevScore,
      targets: r.train.targets,
      ms: r.candidates.reduce((t, c) => t + c.ms, 0),
    });
  }
  let chosen = 0;
  if (runs.length > 1 && dev) {
    // Dev labels as early stopping scored them (EpochKeeper: Snorkel's tie rule, default seed).
    const preds = runs.map((r, c) => ({
      name: candidates[c].features,
      pred: predictLabels(predictTexts(r.classifier, dev.texts), ctx.k, 'snorkel'),
    }));
    const pick = selectPaired(preds, dev.labels, ctx.k, ctx.metric ?? 'acc', ctx.seed ?? 0);
    chosen = pick.index;
    pick.scores.forEach((s, c) => Object.assign(candidates[c], { se: s.se, tied: s.tied }));
  }
  return { ...runs[chosen], featureChoice: { candidates, chosen, note } };
}

/** `chooseFeatures` over `distill` (texts in memory). */
export function distillChoosingFeatures(
  input: DistillInput,
  opts: DistillOptions = {},
  extra: Partial<FeatureSpec>[] = [CHAR_CANDIDATE],
  maxRows = CHAR_CANDIDATE_MAX_ROWS,
): Promise<DistillResult & { featureChoice: FeatureChoice }> {
  return chooseFeatures(
    (features) => distill(input, { ...opts, features }),
    {
      base: opts.features,
      trainRows: input.rows?.length ?? input.texts.length,
      k: input.k,
      dev: input.dev,
      metric: opts.metric,
      seed: opts.seed,
    },
    extra,
    maxRows,
  );
}
