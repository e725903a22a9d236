/**
 * Which featurization the distilled classifier uses, chosen on dev gold: `distill` once per
 * candidate feature spec (each run itself trying soft and hard targets), then the first candidate
 * (the caller's features) is kept unless another lowers the mean Brier score of the dev rows,
 * Σ_c (p_c − [c = gold])², by more than the standard error of the paired per-row difference.
 *
 * Why the Brier score and not the dev metric: a dev set of 120–500 rows scores each row 0 or 1,
 * so two featurizations a point apart are a few rows apart and the paired comparison of the
 * metric is noise. The Brier score uses every row's probability — a proper scoring rule, bounded
 * (unlike log-loss, which one confident mistake can dominate) — so its paired differences have far
 * less variance. Measured on the WRENCH text sets, seeds 0–2 (bench:distill, bench/NOTES.md): the
 * metric rule kept char n-grams on semeval at seed 0 (dev accuracy 3 rows better, Brier score
 * 2.7 standard errors worse; test 1 point worse) and on yoruba at seed 2 (Brier 2.4 standard
 * errors worse; test 2 points worse); the Brier rule keeps word n-grams there and keeps char
 * n-grams on sms and youtube (Brier 2.8–4.0 standard errors better) and on hausa at seeds 1–2.
 * It was chosen on those six sets, against the metric rule and dev log-loss.
 *
 * Why: character n-grams of the words (`char_wb`) help short, noisy texts whose decisive cues are
 * spellings, digits and word pieces (SMS spam: "txt", "150p", "£1000" split into pieces), and hurt
 * sets whose classes are carried by whole words (relation classification, semeval). No fixed
 * featurization wins on every set; the dev set can tell them apart when the gap is real.
 *
 * Why only up to `CHAR_CANDIDATE_MAX_ROWS` training rows: char n-grams multiply the features per
 * row about ten-fold and the training time 2–4×, and a large set already has enough word
 * evidence; the candidates after the first are skipped beyond it (the note says so).
 */
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
   * One entry per candidate that trained, in order; `devBrier`: its mean Brier score on the dev
   * rows; `se`: standard error of the paired per-row difference of Brier scores between the kept
   * candidate and this one, `tied`: that difference within it (absent when one candidate trained).
   */
  candidates: {
    features: string;
    bestDevScore?: number;
    targets: 'soft' | 'hard';
    ms: number;
    devBrier?: number;
    se?: number;
    tied?: boolean;
  }[];
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
    note = `trained ${specs.length} featurizations; the first is kept unless another lowers the dev Brier score by more than one standard error`;
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
    const brier = runs.map((r) => brierRows(predictTexts(r.classifier, dev.texts), dev.labels, ctx.k));
    if (brier[0].length >= 2) {
      let bestGain = 0;
      for (let c = 1; c < runs.length; c++) {
        const { mean, se } = pairedDifference(brier[0], brier[c]);
        if (mean > se && mean > bestGain) {
          chosen = c;
          bestGain = mean;
        }
      }
      brier.forEach((b, c) => {
        const { mean, se } = pairedDifference(b, brier[chosen]);
        Object.assign(candidates[c], { devBrier: meanOf(b), se, tied: Math.abs(mean) <= se });
      });
    }
  }
  return { ...runs[chosen], featureChoice: { candidates, chosen, note } };
}

/**
 * Per labelled dev row (gold in 0…k−1; others skipped), its Brier score Σ_c (p_c − [c = gold])²
 * under `proba` (rows × k).
 */
export function brierRows(proba: ArrayLike<number>, labels: ArrayLike<number>, k: number): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!(Number.isInteger(y) && y >= 0 && y < k)) continue;
    let s = 0;
    for (let c = 0; c < k; c++) {
      const d = proba[i * k + c] - (c === y ? 1 : 0);
      s += d * d;
    }
    out.push(s);
  }
  return Float64Array.from(out);
}

function meanOf(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

/** Mean of a − b row by row and its standard error (sample SD / √n); at least 2 rows. */
export function pairedDifference(a: Float64Array, b: Float64Array): { mean: number; se: number } {
  const n = a.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i] - b[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i] - mean;
    ss += d * d;
  }
  return { mean, se: Math.sqrt(ss / (n - 1) / n) };
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
