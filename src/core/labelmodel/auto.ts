/**
 * `auto`: fits every candidate on the training matrix, scores each on the dev gold rows and
 * picks one by a rule that does not lose to majority vote over noise (select.ts): candidates
 * within one standard error of the best dev score — the error of the paired difference, from
 * stratified bootstrap resamples of the dev rows — are tied; majority vote is taken when it is
 * tied, else the first tied candidate in a fixed order of preference — Snorkel's LabelModel
 * with the dev class balance, then with a uniform balance, the learned weighted vote, majority
 * vote, Dawid–Skene, triplet. The candidates, the order and the rule are fixed: no per-dataset
 * tuning. Without dev labels, or with fewer than 30 or all of one class, there is nothing to
 * compare on beyond noise, so it uses majority vote and says so. When some LFs copy each other
 * (copies.ts), the same candidates fitted with each group of copies counted once follow in the
 * order (`metal_once`, …): taken only when they beat every candidate that counts each copy.
 */
import type { LabelMatrix } from '../matrix.ts';
import { predictLabels } from '../metrics.ts';
import { ShoalError } from '../types.ts';
import { DawidSkene } from './ds.ts';
import { MajorityVote } from './mv.ts';
import { MetalLabelModel, type MetalOptions } from './metal.ts';
import { copiesWarning, lfDependence, representatives, type CopiesRule } from './copies.ts';
import { sharedOverlapCounts, TooLargeError, type OverlapCounts } from './overlap.ts';
import { TripletLabelModel } from './triplet.ts';
import { WeightedMajorityVote } from './wmv.ts';
import { MIN_DEV_ROWS, selectPaired, type CandidateScore, type Selection } from './select.ts';
import type { FitOptions, LabelModel, LabelModelSummary } from './types.ts';
import type { Explainer } from './attribution.ts';

interface Fitted {
  name: string;
  model: LabelModel;
  /** The columns it was fitted on (one per group of copies), or null for every column. */
  columns: number[] | null;
  pred: Int32Array;
}

interface Candidate {
  name: string;
  make: () => LabelModel;
}

export class AutoLabelModel implements LabelModel {
  readonly name = 'auto';
  private readonly candidates: Candidate[];
  private chosen: { name: string; model: LabelModel; columns: number[] | null } | undefined;
  private scores: CandidateScore[] = [];
  private selection: Selection | undefined;
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
    this.selection = undefined;
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
      this.chosen = { name: 'mv', model: mv, columns: this.kept };
      this.selection = { rule: 'no-dev-labels', devRows: 0, resamples: 0, metric: options.metric ?? 'acc' };
      this.warnings.push(
        'no dev labels: auto cannot compare label models, so it uses majority vote; label a few dev rows to let it choose',
      );
      return;
    }
    if (devL.m !== L.m || devL.k !== L.k) {
      throw new ShoalError(`dev label matrix has ${devL.m} LFs × ${devL.k} classes; train has ${L.m} × ${L.k}`);
    }
    const metric = options.metric ?? 'acc';
    // Copies kept as columns: the same candidates fitted with each group counted once join the
    // comparison after them (named *_once), so they are taken only when they beat every
    // candidate that sees the copies beyond noise — the copies break the independence every
    // candidate assumes, but on some real LF sets the copies carry a signal (copies.ts).
    const sets: { L: LabelMatrix; devL: LabelMatrix; suffix: string; columns: number[] | null }[] = [
      { L, devL, suffix: '', columns: this.kept },
    ];
    if (groups.length > 0 && this.copies === 'keep') {
      const reps = representatives(all.m, groups);
      sets.push({ L: all.selectColumns(reps), devL: devL.selectColumns(reps), suffix: '_once', columns: reps });
    }
    const fitted: Fitted[] = [];
    /** Candidates left out as too large, grouped by the reason (the same for every such model). */
    const skipped = new Map<string, string[]>();
    for (let s = 0; s < sets.length; s++) {
      const onProgress = options.onProgress ? (f: number, msg?: string) => options.onProgress!((s + f) / sets.length, msg) : undefined;
      fitted.push(...(await this.fitSet(sets[s], devY, { ...options, onProgress }, skipped)));
    }
    for (const [detail, names] of skipped) this.warnings.push(`${names.join(', ')} left out: ${names.length > 1 ? 'each ' : ''}${detail}`);
    // mv never needs more than the votes, so it is always fitted.
    const picked = selectPaired(fitted, devY, L.k, metric, options.seed ?? 0);
    this.scores = picked.scores;
    this.selection = picked.selection;
    this.chosen = fitted[picked.index];
    if (this.chosen.name.endsWith('_once')) {
      this.warnings.push(
        `auto chose ${this.chosen.name}: counting each group of copies once beat every candidate that counts each copy, beyond noise on the dev rows`,
      );
    }
    const { rule, devRows, missingClasses } = picked.selection;
    if (rule === 'few-dev-labels') {
      this.warnings.push(
        devRows < MIN_DEV_ROWS
          ? `auto uses majority vote: ${devRows} labelled dev rows are fewer than ${MIN_DEV_ROWS}, too few to tell the label models apart beyond noise; label more dev rows to let it choose`
          : 'auto uses majority vote: the labelled dev rows are all of one class, so dev scores cannot compare the label models; label dev rows of other classes to let it choose',
      );
    } else if (missingClasses) {
      this.warnings.push(
        `no dev row is labelled with class ${missingClasses.join(', ')}: auto compared the label models on the other classes only`,
      );
    }
    options.onProgress?.(1);
  }

  /** Fits every candidate on one matrix and labels the dev rows with each. */
  private async fitSet(
    set: { L: LabelMatrix; devL: LabelMatrix; suffix: string; columns: number[] | null },
    devY: ArrayLike<number>,
    options: FitOptions,
    skipped: Map<string, string[]>,
  ): Promise<Fitted[]> {
    const { L, devL, suffix, columns } = set;
    const tie = options.tie ?? 'snorkel';
    const fitted: Fitted[] = [];
    // A balance the user gave applies to every candidate: the uniform-balance variant of metal
    // would then be the same model twice.
    const candidates = options.classBalance ? this.candidates.filter((c) => c.name !== 'metal_uniform') : this.candidates;
    // Work shared across candidates: the row index and the unique vote patterns are cached on
    // L (ds and wmv iterate over the patterns); both metal variants train from the same overlap
    // counts, made once — from the patterns when rows repeat. metal.fit(L) is exactly
    // fitFromStats(overlapCounts(L)), so this changes no result.
    let stats: OverlapCounts | undefined;
    for (let c = 0; c < candidates.length; c++) {
      const candidate = candidates[c];
      const name = candidate.name + suffix;
      const model = candidate.make();
      const fitOptions: FitOptions = {
        ...options,
        devL,
        devY,
        onProgress: options.onProgress
          ? (f, msg) => options.onProgress!((c + f) / candidates.length, `${name}: ${msg ?? ''}`.trim())
          : undefined,
      };
      try {
        if (model instanceof MetalLabelModel) await model.fitFromStats((stats ??= sharedOverlapCounts(L, 'metal')), fitOptions);
        else await model.fit(L, fitOptions);
      } catch (e) {
        // Too big for this device: leave that candidate out and say so; any other error is a
        // real failure and stops the fit.
        if (!(e instanceof TooLargeError)) throw e;
        skipped.set(e.detail, [...(skipped.get(e.detail) ?? []), name]);
        continue;
      }
      fitted.push({ name, model, columns, pred: predictLabels(model.predictProba(devL), L.k, tie, options.seed ?? 0) });
    }
    return fitted;
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
    const { columns } = this.chosen;
    return this.chosen.model.predictProba(columns ? L.selectColumns(columns) : L);
  }

  /** The chosen candidate's, on the columns it was fitted on. */
  explainer(): Explainer {
    if (!this.chosen) throw new ShoalError('fit the label model before explaining it');
    const { name, model, columns } = this.chosen;
    const inner = model.explainer?.() ?? { kind: 'undefined', model: name, reason: `${name} does not define per-LF pushes.` };
    if (inner.kind === 'undefined') return { ...inner, model: name };
    return { ...inner, model: name, columns: columns ? [...columns] : null };
  }

  summary(): LabelModelSummary {
    const inner = this.chosen?.model.summary();
    return {
      ...inner,
      lfAccuracy: inner?.lfAccuracy && this.chosen?.columns ? this.perLf(inner.lfAccuracy, this.chosen.columns) : inner?.lfAccuracy,
      model: 'auto',
      chosen: this.chosen?.name,
      candidates: this.scores,
      ...(this.selection ? { selection: this.selection } : {}),
      warnings: [...this.warnings, ...(inner?.warnings ?? [])],
    };
  }
}

/**
 * One sentence that says how `auto` chose: the rule, the best dev score, and which candidate the
 * rule took and why (metric as a percentage; candidates in preference order). `selection` is
 * the fit summary's; summaries from before it existed (no `selection`, no `tied`) were chosen by
 * the one-standard-error rule on each score's binomial error, and are explained as such.
 */
export function explainSelection(
  candidates: readonly CandidateScore[],
  devSize: number,
  chosen: string,
  metric = 'accuracy',
  selection?: Selection,
): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const metricName = selection ? (selection.metric === 'f1' ? 'F1' : 'accuracy') : metric;
  if (selection?.rule === 'no-dev-labels') return 'auto had no dev labels to compare the label models on and used majority vote.';
  if (selection?.rule === 'few-dev-labels') {
    return selection.devRows < MIN_DEV_ROWS
      ? `auto used majority vote: ${selection.devRows} labelled dev rows are fewer than ${MIN_DEV_ROWS}, too few to tell the label models apart beyond noise.`
      : 'auto used majority vote: the labelled dev rows are all of one class, so dev scores cannot compare the label models.';
  }
  const scored = candidates.filter((c) => Number.isFinite(c.devScore));
  if (scored.length === 0) return `auto had no dev score to compare and used ${chosen}.`;
  const best = scored.reduce((a, c) => (c.devScore > a.devScore ? c : a));
  const order = scored.map((c) => c.name).join(' → ');
  const paired = selection?.rule === 'paired-bootstrap' || scored.some((c) => c.tied !== undefined);
  if (paired) {
    const rows = selection?.devRows ?? devSize;
    const pts = (x: number) => `${(x * 100).toFixed(1)} points`;
    const self = scored.find((c) => c.name === chosen);
    const mv = scored.find((c) => c.name === 'mv');
    const why =
      chosen === 'mv'
        ? `mv (${pct(mv?.devScore ?? NaN)}) is within it, so no learned model beat majority vote beyond noise`
        : `${chosen} (${pct(self?.devScore ?? NaN)}) ${chosen === best.name ? 'scored best' : 'is the first within it'}, and mv (${pct(mv?.devScore ?? NaN)}) is ${pts(best.devScore - (mv?.devScore ?? NaN))} behind the best, beyond its error of ${pts(mv?.se ?? NaN)}`;
    return `auto takes the first model, in the order ${order}, whose dev ${metricName} is within one standard error of the best, and majority vote whenever it is within it (the error of each model's difference from the best, over ${selection?.resamples ?? 'the'} bootstrap resamples of the ${rows} dev rows; best ${best.name} ${pct(best.devScore)}): ${why}.`;
  }
  const se = Math.sqrt((best.devScore * (1 - best.devScore)) / Math.max(devSize, 1));
  const why =
    chosen === best.name
      ? `${chosen} scored best and comes first among those within it`
      : `${chosen} (${pct(scored.find((c) => c.name === chosen)?.devScore ?? NaN)}) is within it and comes before ${best.name} in that order`;
  return `auto takes the first model, in the order ${order}, whose dev ${metricName} is within one standard error of the best (${best.name} ${pct(best.devScore)} ± ${pct(se)} on ${devSize} dev rows): ${why}. A difference smaller than that is noise on a dev set this size.`;
}

/** The rule before select.ts: the first candidate (in preference order) within one binomial standard error of the best dev score. bench:wrench prints it as auto (old). */
export function selectOneStandardError<T extends { score: number }>(fitted: T[], devSize: number): T {
  let best = -Infinity;
  for (const f of fitted) if (Number.isFinite(f.score) && f.score > best) best = f.score;
  if (!Number.isFinite(best)) return fitted[0];
  const se = Math.sqrt((best * (1 - best)) / Math.max(devSize, 1));
  return fitted.find((f) => f.score >= best - se - 1e-12)!;
}
