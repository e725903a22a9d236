/**
 * The labelling target a user sets per split ("label 200 dev rows"), kept as a project setting
 * so it survives a reload, and the progress toward it: the split's labelled rows (all of them,
 * not only this session's) against the target.
 */
import { ShoalError } from '../core/types.ts';
import type { ShoalStorage } from '../storage/types.ts';
import type { Split } from './project.ts';

/** Per-project setting key of the targets. */
export const TARGET_SETTING = 'annotateTargets';
/** The largest target accepted (a dataset has fewer rows than this). */
export const MAX_TARGET = 10_000_000;

export type Targets = Partial<Record<Split, number>>;

export interface Progress {
  labelled: number;
  target: number;
  /** 0…1, capped at 1. */
  fraction: number;
  /** Rows still to label to reach the target (0 once reached). */
  left: number;
  reached: boolean;
}

export function progressOf(labelled: number, target: number): Progress {
  const fraction = target > 0 ? Math.min(1, labelled / target) : 0;
  return { labelled, target, fraction, left: Math.max(0, target - labelled), reached: target > 0 && labelled >= target };
}

/** Where the targets are kept: the open project's storage (null while none is open). */
export type TargetHome = () => { storage: ShoalStorage; projectId: string } | null;

export class AnnotateTargets {
  targets = $state.raw<Targets>({});
  projectId = $state<string | null>(null);

  private loading = 0;

  constructor(private readonly home: TargetHome) {}

  async load(): Promise<void> {
    const h = this.home();
    const ticket = ++this.loading;
    if (!h) {
      this.targets = {};
      this.projectId = null;
      return;
    }
    const stored = await h.storage.getSetting<unknown>(TARGET_SETTING, h.projectId);
    if (ticket !== this.loading) return;
    this.targets = readTargets(stored);
    this.projectId = h.projectId;
  }

  /** Set (a whole number ≥ 1) or clear (null) the target of a split; stored first, shown after. */
  async set(split: Split, target: number | null): Promise<void> {
    const h = this.home();
    if (!h) throw new ShoalError('no project is open');
    if (target !== null && (!Number.isInteger(target) || target < 1 || target > MAX_TARGET))
      throw new ShoalError(`the target must be a whole number of rows from 1 to ${MAX_TARGET.toLocaleString('en-US')}`);
    const next: Targets = { ...this.targets };
    if (target === null) delete next[split];
    else next[split] = target;
    await h.storage.putSetting(TARGET_SETTING, next, h.projectId);
    if (this.home()?.projectId === h.projectId) this.targets = next;
  }
}

/** Targets from a stored value, whatever it holds (a value that is not a target is dropped). */
export function readTargets(v: unknown): Targets {
  const out: Targets = {};
  if (typeof v !== 'object' || v === null) return out;
  for (const s of ['train', 'dev', 'test'] as const) {
    const n = (v as Record<string, unknown>)[s];
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_TARGET) out[s] = n;
  }
  return out;
}
