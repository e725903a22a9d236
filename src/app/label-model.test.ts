// The label-model service in Node: the in-memory storage, the train worker's API called inline,
// a synthetic project whose votes and gold the test changes as the session would.
import { describe, expect, it } from 'vitest';
import { maxAbsDiff } from './model-report.ts';
import { devGoldKey, LabelModelService } from './label-model.svelte.ts';
import { DEFAULT_LFS, holdingTrainWorker, manualTimer, syntheticProject } from './model-fixture.ts';
import { inlineTrainWorker } from '../workers/train-worker-api.ts';

/** Wait (yielding to the event loop) until `cond` holds; the test fails if it never does. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 20_000 && !cond(); i++) await new Promise((r) => setTimeout(r, 1));
  expect(cond()).toBe(true);
}

const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

describe('label model service', () => {
  it('fits on the votes, scores beside majority vote, stores the run, and a new service restores it', async () => {
    const p = await syntheticProject();
    const lm = new LabelModelService(p.deps());
    lm.name = 'ds';
    await lm.fit();
    expect(lm.error).toBeNull();
    expect(lm.busy).toBe(false);
    const r = lm.result!;
    expect(r).toMatchObject({ name: 'ds', restored: false, votesVersion: p.view.votes!.version, versionId: p.view.versionId });
    expect(r.proba.train.length).toBe(p.view.splitIndex.train.length * 2);
    expect(r.scores.dev.accuracy).toBeGreaterThan(0.8);
    expect(r.mvScores.dev.gold).toBe(p.view.splitIndex.dev.length);
    expect(r.lfTable.map((x) => x.name)).toEqual(DEFAULT_LFS.map((lf) => lf.id));
    const runs = await p.storage.listRuns(p.view.projectId!);
    expect(runs.map((x) => [x.id, x.n, x.k, x.lfHashes])).toEqual([[r.runId, 300, 2, p.view.lfHashes()]]);

    // A reload: a new service over the same storage shows the stored fit without refitting.
    const again = new LabelModelService(p.deps());
    expect(await again.restore()).toBe(true);
    const back = again.result!;
    expect(back).toMatchObject({ runId: r.runId, name: 'ds', restored: true, scores: r.scores, mvScores: r.mvScores });
    for (const s of ['train', 'dev', 'test'] as const) expect(maxAbsDiff(back.proba[s], r.proba[s])).toBe(0);
    expect(again.name).toBe('ds');

    // A refit on the same LFs supersedes the stored run instead of piling up beside it.
    await lm.fit();
    expect((await p.storage.listRuns(p.view.projectId!)).map((x) => x.id)).toEqual([lm.result!.runId]);
  });

  it('a newer fit cancels the running one through its owner, not its label, and only the newer one speaks', async () => {
    const p = await syntheticProject();
    const hold = holdingTrainWorker(inlineTrainWorker());
    const lm = new LabelModelService(p.deps({ trainWorker: () => hold.port }));
    lm.name = 'ds';
    // Someone else's job with the very label a fit shows: untouched by the fit's cancel.
    const other = p.jobs.start('Fitting the label model (ds)');

    const first = lm.fit();
    await until(() => hold.held().length === 1);
    expect(lm.busy).toBe(true);
    const second = lm.fit();
    expect(hold.cancelled).toEqual(['lm-1']);
    hold.release();
    await Promise.all([first, second]);

    expect(lm.error).toBeNull();
    expect(lm.busy).toBe(false);
    expect(lm.result?.votesVersion).toBe(p.view.votes!.version);
    expect((await p.storage.listRuns(p.view.projectId!)).map((x) => x.id)).toEqual([lm.result!.runId]);
    expect(p.jobs.list.map((j) => j.id)).toEqual([other.job.id]);
    expect(other.signal.aborted).toBe(false);
  });

  it('a fit refused for an unusable class balance leaves the running fit alone, and it ends not busy', async () => {
    const p = await syntheticProject();
    const hold = holdingTrainWorker(inlineTrainWorker());
    const lm = new LabelModelService(p.deps({ trainWorker: () => hold.port }));
    lm.name = 'ds';
    const first = lm.fit();
    await until(() => hold.held().length === 1);
    lm.balanceMode = 'custom';
    lm.customBalance = 'half';
    await lm.fit();
    expect(lm.error).toMatch(/^Class balance: /);
    expect(hold.cancelled).toEqual([]);
    hold.release();
    await first;
    expect(lm.busy).toBe(false);
    expect(lm.result?.votesVersion).toBe(p.view.votes!.version);
  });

  it('cancel stops the running fit and says so', async () => {
    const p = await syntheticProject();
    const hold = holdingTrainWorker(inlineTrainWorker());
    const lm = new LabelModelService(p.deps({ trainWorker: () => hold.port }));
    const fit = lm.fit();
    await until(() => hold.held().length === 1);
    lm.cancel();
    await fit;
    expect(lm.error).toBe('The fit was cancelled.');
    expect(lm.result).toBeNull();
    expect(lm.busy).toBe(false);
    expect(p.jobs.busy).toBe(false);
  });

  it('a fit the full disk could not store stays on screen as unsaved, and "save again" stores it', async () => {
    let full = true;
    const p = await syntheticProject({
      faults: {
        beforePut: (table) => {
          if (full && (table === 'runs' || table === 'runProbs')) throw quota();
        },
      },
    });
    const lm = new LabelModelService(p.deps());
    lm.name = 'ds';
    await lm.fit();
    expect(lm.result).not.toBeNull();
    expect(lm.unsaved).toBe(lm.result);
    expect(lm.error).toMatch(/^The fit worked but could not be saved: Browser storage is full/);
    expect(await p.storage.listRuns(p.view.projectId!)).toEqual([]);

    // Still full: it stays unsaved, with the reason.
    await lm.saveAgain();
    expect(lm.unsaved).toBe(lm.result);
    expect(lm.error).toMatch(/could not be saved/);

    full = false;
    await lm.saveAgain();
    expect(lm.unsaved).toBeNull();
    expect(lm.error).toBeNull();
    expect((await p.storage.listRuns(p.view.projectId!)).map((x) => x.id)).toEqual([lm.result!.runId]);
  });

  it('"save again" stores nothing once the votes changed (the fit no longer matches the LFs)', async () => {
    let full = true;
    const p = await syntheticProject({
      faults: {
        beforePut: (table) => {
          if (full && table === 'runs') throw quota();
        },
      },
    });
    const lm = new LabelModelService(p.deps());
    lm.name = 'mv';
    await lm.fit();
    expect(lm.unsaved).not.toBeNull();
    p.setLfs(DEFAULT_LFS.slice(1));
    full = false;
    await lm.saveAgain();
    expect(lm.unsaved).toBeNull();
    expect(await p.storage.listRuns(p.view.projectId!)).toEqual([]);
  });

  it('refits at once after a lone vote change, once more after a burst, and brings back a stored fit instead of refitting', async () => {
    const p = await syntheticProject();
    const timer = manualTimer();
    const lm = new LabelModelService(p.deps({ later: timer.later }));
    lm.name = 'ds';
    // No fit yet, none stored: a vote change does not start one.
    await lm.onVotes();
    expect(timer.pending()).toBe(0);
    await lm.fit();
    const firstRun = lm.result!.runId;

    // A lone edit (no LF running, no fit under way) refits at once, with no pause.
    p.setLfs(DEFAULT_LFS, { lf_b: 'hash-lf_b-alone' });
    await lm.onVotes();
    expect(timer.pending()).toBe(0);
    expect(lm.busy).toBe(true);
    await until(() => !lm.busy);
    expect(lm.result!.lfHashes).toContain('hash-lf_b-alone');

    // While LFs still run, the votes are about to change again: the refit waits.
    p.view.lfsRunning = true;
    p.setLfs(DEFAULT_LFS, { lf_b: 'hash-lf_b-running' });
    await lm.onVotes();
    expect(timer.pending()).toBe(1);
    expect(lm.busy).toBe(false);
    p.view.lfsRunning = false;

    // An LF edited twice in a row: the first change refits at once, the second comes while that
    // fit runs and waits; the fit that waited is for the latest votes.
    p.setLfs(DEFAULT_LFS, { lf_b: 'hash-lf_b-edited' });
    await lm.onVotes();
    expect(timer.pending()).toBe(0);
    expect(lm.busy).toBe(true);
    p.setLfs(DEFAULT_LFS, { lf_b: 'hash-lf_b-edited-again' });
    await lm.onVotes();
    expect(timer.pending()).toBe(1);
    timer.fire();
    await until(() => !lm.busy && lm.result?.votesVersion === p.view.votes!.version);
    expect(lm.result!.lfHashes).toContain('hash-lf_b-edited-again');
    expect(lm.result!.restored).toBe(false);

    // A reload back on the LFs of the first fit: that stored run comes back, no refit waits.
    const other = new LabelModelService(p.deps({ later: timer.later }));
    p.setLfs(DEFAULT_LFS);
    await other.onVotes();
    expect(timer.pending()).toBe(0);
    expect(other.result).toMatchObject({ runId: firstRun, restored: true });

    // With auto-refit off, a change waits for the user.
    lm.autoRefit = false;
    p.setLfs(DEFAULT_LFS.slice(0, 3));
    await lm.onVotes();
    expect(timer.pending()).toBe(0);
  });

  it('rescores on new gold without refitting', async () => {
    const p = await syntheticProject();
    const lm = new LabelModelService(p.deps());
    lm.name = 'ds';
    await lm.fit();
    const before = lm.result!;
    // Clear half the dev gold: the dev scores count fewer rows, the fit is the same.
    const dev = p.view.gold.dev.map((g, i) => (i % 2 ? -1 : g));
    p.view.gold = { ...p.view.gold, dev };
    p.view.goldVersion++;
    lm.rescore();
    const after = lm.result!;
    expect(after.runId).toBe(before.runId);
    expect(after.proba).toBe(before.proba);
    expect(after.goldVersion).toBe(1);
    expect(after.scores.dev.gold).toBe(Math.ceil(p.view.splitIndex.dev.length / 2));
    expect(before.scores.dev.gold).toBe(p.view.splitIndex.dev.length);
  });

  it('refits after a dev gold change (auto chooses on dev gold); a test gold change only rescores', async () => {
    const p = await syntheticProject();
    const timer = manualTimer();
    const lm = new LabelModelService(p.deps({ later: timer.later }));
    await lm.fit();
    const first = lm.result!;
    expect(first.devGoldKey).toBe(devGoldKey(p.view.gold.dev));
    // The same gold again (a label set back to what it was): nothing to do.
    p.view.goldVersion++;
    lm.onGold();
    expect(timer.pending()).toBe(0);
    // Test gold: rescored, no refit.
    p.view.gold = { ...p.view.gold, test: p.view.gold.test.map((g, i) => (i === 0 ? -1 : g)) };
    p.view.goldVersion++;
    lm.onGold();
    expect(timer.pending()).toBe(0);
    expect(lm.result!.goldVersion).toBe(p.view.goldVersion);
    expect(lm.result!.runId).toBe(first.runId);
    // Dev gold: one refit waits, and its candidates are scored on the new dev gold.
    p.view.gold = { ...p.view.gold, dev: p.view.gold.dev.map((g, i) => (i % 3 ? g : -1)) };
    p.view.goldVersion++;
    lm.onGold();
    expect(timer.pending()).toBe(1);
    timer.fire();
    await until(() => !lm.busy && lm.result!.runId !== first.runId);
    expect(lm.result!.devGoldKey).toBe(devGoldKey(p.view.gold.dev));
    expect(lm.result!.scores.dev.gold).toBe(p.view.gold.dev.filter((g) => g >= 0).length);
    // With auto-refit off, the user refits.
    lm.autoRefit = false;
    p.view.gold = { ...p.view.gold, dev: p.view.gold.dev.map((g) => (g >= 0 ? g : 0)) };
    p.view.goldVersion++;
    lm.onGold();
    expect(timer.pending()).toBe(0);
  });

  it('says what is missing instead of fitting: no LF votes, an unusable typed class balance', async () => {
    const p = await syntheticProject();
    const lm = new LabelModelService(p.deps());
    p.setLfs([]);
    await lm.fit();
    expect(lm.error).toBe('No enabled LF has votes yet: write or run LFs first.');
    p.setLfs(DEFAULT_LFS);
    lm.balanceMode = 'custom';
    lm.customBalance = '0.5';
    await lm.fit();
    expect(lm.error).toMatch(/^Class balance: /);
    expect(lm.result).toBeNull();
    expect(p.jobs.busy).toBe(false);
  });
});
