/**
 * `auto`: fits every candidate on the training matrix, scores each on the dev set (the user's
 * metric and tie rule) and reports every score. MV is always a candidate, which guards against
 * the most common Snorkel complaint — a learned model doing worse than majority vote.
 *
 * Dev sets are small (100–500 rows), so a difference of a few points is noise. Selection uses
 * the one-standard-error rule (Breiman et al. 1984): among candidates scoring within one
 * binomial standard error of the best, take the first in a fixed order of preference —
 * Snorkel's LabelModel with the dev class balance, then with a uniform balance, then the learned
 * weighted vote, majority vote, Dawid–Skene, triplet. The candidates and the order are fixed:
 * no per-dataset tuning. Without dev labels there is nothing to compare on, so it uses majority
 * vote and says so.
 */
import type { LabelMatrix } from '../matrix.ts';
import { predictLabels, scoreFor } from '../metrics.ts';
import { ShoalError } from '../types.ts';
import { DawidSkene } from './ds.ts';
import { MajorityVote } from './mv.ts';
import { MetalLabelModel, type MetalOptions } from './metal.ts';
import { copiesWarning, lfDependence, representatives, type CopiesRule } from './copies.ts';
import { sharedOverlapCounts, TooLargeError, type OverlapCounts } from './overlap.ts';
import { TripletLabelModel } from './triplet.ts';
import { WeightedMajorityVote } from './wmv.ts';
import type { FitOptions, LabelModel, LabelModelSummary } from './types.ts';

interface Candidate {
  name: string;
  make: () => LabelModel;
}

export class AutoLabelModel implements LabelModel {
  readonly name = 'auto';
  private readonly candidates: Candidate[];
  private chosen: { name: string; model: LabelModel } | undefined;
  private scores: { name: string; devScore: number }[] = [];
  private warnings: string[] = [];
  /** Columns the fit kept (one per group of copies), or null when there were no copies. */
  private kept: number[] | null = null;
  private groups: readonly (readonly number[])[] = [];
  private m = 0;

  /** 'once': fit with each group of copies counted once (copies.ts); 'keep' (default): fit every column, and warn. */
  private readonly copies: CopiesRule;

  constructor(options: { metal?: MetalOptions; copies?: CopiesRule } = {}) {
    this.copies = options.copies ?? 'keep';
    this.candidates = [
      { name: 'metal', make: () => new MetalLabelModel({ ...options.metal, balance: 'dev' }, 'metal') },
      { name: 'metal_uniform', make: () => new MetalLabelModel({ ...options.metal, balance: 'uniform' }, 'metal_uniform') },
      { name: 'wmv', make: () => new WeightedMajorityVote() },
      { name: 'mv', make: () => new MajorityVote() },
      { name: 'ds', make: () => new DawidSkene() },
      { name: 'triplet', make: () => new TripletLabelModel() },
    ];
  }

  async fit(all: LabelMatrix, options: FitOptions = {}): Promise<void> {
    this.scores = [];
    this.warnings = [];
    // LFs that copy each other break every candidate's independence assumption: always said,
    // and with copies: 'once' counted once (copies.ts says why that is not the default).
    if (options.devL && (options.devL.m !== all.m || options.devL.k !== all.k)) {
      throw new ShoalError(`dev label matrix has ${options.devL.m} LFs × ${options.devL.k} classes; train has ${all.m} × ${all.k}`);
    }
    const { groups } = lfDependence(all);
    this.groups = groups;
    this.m = all.m;
    this.kept = groups.length > 0 && this.copies === 'once' ? representatives(all.m, groups) : null;
    if (groups.length > 0) this.warnings.push(copiesWarning(groups, this.copies));
    const L = this.kept ? all.selectColumns(this.kept) : all;
    const devL = this.kept ? options.devL?.selectColumns(this.kept) : options.devL;
    const { devY } = options;
    if (!devL || !devY || devY.length === 0) {
      const mv = new MajorityVote();
      await mv.fit(L, { ...options, devL });
      this.chosen = { name: 'mv', model: mv };
      this.warnings.push(
        'no dev labels: auto cannot compare label models, so it uses majority vote; label a few dev rows to let it choose',
      );
      return;
    }
    if (devL.m !== L.m || devL.k !== L.k) {
      throw new ShoalError(`dev label matrix has ${devL.m} LFs × ${devL.k} classes; train has ${L.m} × ${L.k}`);
    }
    const metric = options.metric ?? 'acc';
    const tie = options.tie ?? 'snorkel';
    const fitted: { name: string; model: LabelModel; score: number }[] = [];
    // A balance the user gave applies to every candidate: the uniform-balance variant of metal
    // would then be the same model twice.
    const candidates = options.classBalance ? this.candidates.filter((c) => c.name !== 'metal_uniform') : this.candidates;
    // Work shared across candidates: the row index and the unique vote patterns are cached on
    // L (ds and wmv iterate over the patterns); both metal variants train from the same overlap
    // counts, made once — from the patterns when rows repeat. metal.fit(L) is exactly
    // fitFromStats(overlapCounts(L)), so this changes no result.
    let stats: OverlapCounts | undefined;
    /** Candidates left out as too large, grouped by the reason (the same for every such model). */
    const skipped = new Map<string, string[]>();
    for (let c = 0; c < candidates.length; c++) {
      const candidate = candidates[c];
      const model = candidate.make();
      const fitOptions: FitOptions = {
        ...options,
        devL,
        onProgress: options.onProgress
          ? (f, msg) => options.onProgress!((c + f) / candidates.length, `${candidate.name}: ${msg ?? ''}`.trim())
          : undefined,
      };
      try {
        if (model instanceof MetalLabelModel) await model.fitFromStats((stats ??= sharedOverlapCounts(L, 'metal')), fitOptions);
        else await model.fit(L, fitOptions);
      } catch (e) {
        // Too big for this device: leave that candidate out and say so; any other error is a
        // real failure and stops the fit.
        if (!(e instanceof TooLargeError)) throw e;
        skipped.set(e.detail, [...(skipped.get(e.detail) ?? []), candidate.name]);
        continue;
      }
      const pred = predictLabels(model.predictProba(devL), L.k, tie, options.seed ?? 0);
      const score = scoreFor(metric, pred, devY, L.k);
      this.scores.push({ name: candidate.name, devScore: score });
      fitted.push({ name: candidate.name, model, score });
    }
    for (const [detail, names] of skipped) this.warnings.push(`${names.join(', ')} left out: ${names.length > 1 ? 'each ' : ''}${detail}`);
    // mv never needs more than the votes, so at least one candidate is always fitted.
    this.chosen = selectOneStandardError(fitted, devY.length);
    options.onProgress?.(1);
  }

  /** Per-LF figures of the kept columns, back in list order: a copy shows its group's. */
  private perLf(values: readonly number[], kept: readonly number[]): number[] {
    const at = new Map(kept.map((j, t) => [j, t]));
    const rep = new Map<number, number>();
    for (const g of this.groups) for (const j of g) rep.set(j, g[0]);
    return Array.from({ length: this.m }, (_, j) => values[at.get(rep.get(j) ?? j)!]);
  }

  predictProba(L: LabelMatrix): Float32Array {
    if (!this.chosen) throw new ShoalError('fit the label model before predicting');
    return this.chosen.model.predictProba(this.kept ? L.selectColumns(this.kept) : L);
  }

  summary(): LabelModelSummary {
    const inner = this.chosen?.model.summary();
    return {
      ...inner,
      lfAccuracy: inner?.lfAccuracy && this.kept ? this.perLf(inner.lfAccuracy, this.kept) : inner?.lfAccuracy,
      model: 'auto',
      chosen: this.chosen?.name,
      candidates: this.scores,
      warnings: [...this.warnings, ...(inner?.warnings ?? [])],
    };
  }
}

/**
 * One sentence that says how `auto` chose: the rule, the best dev score and its standard error,
 * and which candidate the rule took (metric as a percentage; candidates in preference order).
 */
export function explainSelection(
  candidates: readonly { name: string; devScore: number }[],
  devSize: number,
  chosen: string,
  metric = 'accuracy',
): string {
  const scored = candidates.filter((c) => Number.isFinite(c.devScore));
  if (scored.length === 0) return `auto had no dev score to compare and used ${chosen}.`;
  const best = scored.reduce((a, c) => (c.devScore > a.devScore ? c : a));
  const se = Math.sqrt((best.devScore * (1 - best.devScore)) / Math.max(devSize, 1));
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const order = scored.map((c) => c.name).join(' → ');
  const why =
    chosen === best.name
      ? `${chosen} scored best and comes first among those within it`
      : `${chosen} (${pct(scored.find((c) => c.name === chosen)?.devScore ?? NaN)}) is within it and comes before ${best.name} in that order`;
  return `auto takes the first model, in the order ${order}, whose dev ${metric} is within one standard error of the best (${best.name} ${pct(best.devScore)} ± ${pct(se)} on ${devSize} dev rows): ${why}. A difference smaller than that is noise on a dev set this size.`;
}

/** First candidate (in preference order) within one standard error of the best dev score. */
export function selectOneStandardError<T extends { score: number }>(fitted: T[], devSize: number): T {
  let best = -Infinity;
  for (const f of fitted) if (Number.isFinite(f.score) && f.score > best) best = f.score;
  if (!Number.isFinite(best)) return fitted[0];
  const se = Math.sqrt((best * (1 - best)) / Math.max(devSize, 1));
  return fitted.find((f) => f.score >= best - se - 1e-12)!;
}
