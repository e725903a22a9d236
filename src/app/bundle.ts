/**
 * Project bundle export and import, on top of core/formats/bundle.ts and the session.
 *
 * Import has two paths:
 * - the bundle carries its data: a new project is created by the normal import pipeline (the
 *   rows go through the import worker into IndexedDB), then LFs, gold labels and model choices
 *   are written and the project is opened;
 * - no data: the bundle is applied to the open dataset if its classes and split sizes match
 *   (`checkBundleFits`); its LFs are added beside the existing ones (names made unique) and its
 *   gold labels overwrite the ones at the same rows.
 * Either way the caller has shown the LF code for review first; the LFs run only afterwards.
 * The storage side of both paths (all or nothing) is bundle-store.ts.
 *
 * The classifier settings travel as `model.classifier` (a superset of the older
 * `{ targets, maxEpochs }`); a bundle without them imports with the defaults.
 */
import { type ModelChoices, type ProjectBundle, checkBundleFits, flagsBySplit, sparseGold, writeBundle } from '../core/formats/bundle.ts';

// What the project-file screens read a file with (the UI reaches core through the app layer).
export { codeLfsOf, readBundle, type ProjectBundle } from '../core/formats/bundle.ts';
import type { LfDef } from '../core/lf/types.ts';
import { ShoalError } from '../core/types.ts';
import { isLabelModelName } from '../core/labelmodel/types.ts';
import type { BundleModels } from '../core/formats/bundle-models.ts';
import { bundleProjectImport, collectModels, storeIntoProject } from './bundle-store.ts';
import type { ModelState } from './model.svelte.ts';
import { readClassifierSettings } from './model-report.ts';
import { SPLIT_NAMES } from './project.ts';
import type { session as Session } from './session.svelte.ts';

export function modelChoices(m: ModelState): ModelChoices {
  // Every classifier setting, not only the two fields ModelChoices names: readers of older
  // bundles ignore the rest, newer ones read them (readClassifierSettings).
  const classifier: ModelChoices['classifier'] = readClassifierSettings(m.clfSettings);
  return {
    labelModel: m.name,
    classBalance:
      m.balanceMode === 'custom'
        ? m.customBalance
            .split(/[\s,;]+/)
            .filter(Boolean)
            .map(Number)
        : m.balanceMode,
    seed: m.seed,
    classifier,
  };
}

/**
 * The bundle of the open project as JSON text; with `includeModels` (and the data) also the
 * label model on screen, when it matches the LFs, and the classifier; `left` names what could
 * not be included.
 */
export async function exportProject(
  s: typeof Session,
  m: ModelState,
  includeData: boolean,
  includeModels = false,
): Promise<{ text: string; models: BundleModels | null; left: string[] }> {
  const ds = s.dataset;
  if (!ds || !s.storage || !s.projectId) throw new ShoalError('open a project before exporting it');
  const current = m.lm && m.lm.votesVersion === s.votes?.version && m.lm.versionId === ds.versionId ? m.lm.runId : null;
  const { models, left } =
    includeData && includeModels
      ? await collectModels(s.storage, {
          projectId: s.projectId,
          versionId: ds.versionId,
          lfs: s.lfs,
          classes: s.classes,
          runId: current,
          classifierId: m.clf?.id ?? null,
        })
      : { models: null, left: [] as string[] };
  if (includeData && includeModels && !m.lm && !m.clf) left.push('the label model and classifier (neither is fitted yet)');
  else if (includeData && includeModels && m.lm && !current) left.push('the label model (it is being refitted for the current LFs)');
  const hasModels = models && (models.labelModel || models.classifier);
  const version = await s.storage.getVersion(ds.versionId);
  // Rows flagged while labelling travel with the gold labels (by position within their split).
  const flags = await s.storage.listFlags(ds.versionId);
  const settings: Record<string, unknown> = {
    textFields: version?.textFields ?? [ds.textField],
    fields: version?.fields ?? ds.fields,
    idField: version?.idField ?? null,
  };
  // Rows are read from storage chunk by chunk (the project file holds them all; the page holds
  // no other copy).
  const rows: Record<string, unknown>[] = [];
  if (includeData) await ds.rows.scan((chunk) => void rows.push(...chunk.map((r) => ({ ...r }))));
  const bundle = {
    exportedAt: new Date().toISOString(),
    project: { name: s.project?.name ?? ds.name },
    dataset: { name: ds.name, fields: ds.fields, textField: ds.textField, classes: s.classes.slice(), splitCounts: { ...ds.splitCounts } },
    settings,
    lfs: s.lfs.map((l) => ({ ...l })) as LfDef[],
    gold: { train: sparseGold(s.gold.train), dev: sparseGold(s.gold.dev), test: sparseGold(s.gold.test) },
    ...(flags.length ? { flags: flagsBySplit(flags, ds.split) } : {}),
    model: modelChoices(m),
    ...(includeData ? { data: { rows, split: Array.from(ds.split, (c) => SPLIT_NAMES[c]) } } : {}),
    ...(hasModels ? { models } : {}),
  };
  return { text: writeBundle(bundle), models: hasModels ? models : null, left };
}

/** How the bundle will be applied, for the review dialog; an error sentence if it cannot be. */
export function importPlan(s: typeof Session, b: ProjectBundle): { mode: 'new-project' | 'into-open'; problem: string | null } {
  if (b.data) return { mode: 'new-project', problem: null };
  const ds = s.dataset;
  if (!ds)
    return {
      mode: 'into-open',
      problem: 'This project file has no data: open (or import) its dataset first, then import the project into it.',
    };
  const why = checkBundleFits(b, { classes: s.classes, splitCounts: ds.splitCounts });
  return { mode: 'into-open', problem: why ? `This project file does not fit the open dataset: ${why}.` : null };
}

/** Apply a reviewed bundle; afterwards its LFs run. */
export async function importProject(s: typeof Session, m: ModelState, b: ProjectBundle, fileName?: string): Promise<void> {
  const plan = importPlan(s, b);
  if (plan.problem) throw new ShoalError(plan.problem);
  if (!s.storage) await s.init();
  const storage = s.storage;
  if (!storage) throw new ShoalError('the project storage is not open; reload the page');
  if (plan.mode === 'new-project') {
    // The one import flow (import-flow.ts): a new project under the cross-tab lock, deleted again on any failure, then opened.
    const outcome = await s.importNewProject(bundleProjectImport(b, fileName));
    if (!outcome.ok) throw new ShoalError(outcome.message);
  } else {
    const ds = s.dataset!;
    const projectId = s.projectId!;
    await storeIntoProject(storage, b, {
      projectId,
      versionId: ds.versionId,
      split: ds.split,
      gold: s.fullGold,
      classes: s.classes,
      lfCount: s.lfs.length,
      takenNames: s.takenNames(),
    });
    await s.openProject(projectId);
  }
  applyChoices(m, b.model);
  await s.runLfs(s.lfs.filter((l) => l.enabled && s.runOf(l.id)?.status !== 'ok'));
}

function applyChoices(m: ModelState, c: ModelChoices): void {
  if (isLabelModelName(c.labelModel)) m.name = c.labelModel;
  if (Array.isArray(c.classBalance)) {
    m.balanceMode = 'custom';
    m.customBalance = c.classBalance.join(', ');
  } else m.balanceMode = c.classBalance;
  if (Number.isInteger(c.seed)) m.seed = c.seed;
  m.clfSettings = readClassifierSettings(c.classifier);
}
