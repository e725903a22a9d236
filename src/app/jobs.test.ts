// Jobs carry an owner: a service cancels its own work by who started it, never by the label
// text the user sees, and jobs started without an owner keep working as before.
import { describe, expect, it } from 'vitest';
import { Jobs } from './jobs.svelte.ts';

/** A job that runs until its signal aborts, then rejects as the workers do. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new DOMException('cancelled', 'AbortError'))));
}

describe('jobs', () => {
  it('cancelOwner cancels that owner’s jobs only, whatever their labels', async () => {
    const jobs = new Jobs();
    const fitter = {};
    const trainer = {};
    const a = jobs.run('Fitting the label model (auto)', untilAborted, { owner: fitter });
    const b = jobs.run('Fitting the label model (metal)', untilAborted, { owner: trainer });
    const c = jobs.run('Fitting the label model (ds)', untilAborted);
    expect(jobs.list.map((j) => j.label)).toHaveLength(3);
    expect(jobs.running(fitter)).toBe(true);

    expect(jobs.cancelOwner(fitter)).toBe(1);
    await expect(a).rejects.toThrow('cancelled');
    expect(jobs.list.map((j) => j.label)).toEqual(['Fitting the label model (metal)', 'Fitting the label model (ds)']);
    expect(jobs.running(fitter)).toBe(false);

    expect(jobs.cancelOwner('nobody')).toBe(0);
    expect(jobs.cancelOwner(trainer)).toBe(1);
    await expect(b).rejects.toThrow('cancelled');
    // The job without an owner is cancelled only by its id.
    expect(jobs.list).toHaveLength(1);
    jobs.cancel(jobs.list[0].id);
    await expect(c).rejects.toThrow('cancelled');
    expect(jobs.busy).toBe(false);
  });

  it('owners may be constants, and a finished job is no longer its owner’s', async () => {
    const jobs = new Jobs();
    const EXPORT = Symbol('export');
    expect(await jobs.run('Exporting', async (_s, report) => (report(0.5, 'half'), 7), { owner: EXPORT })).toBe(7);
    expect(jobs.running(EXPORT)).toBe(false);
    const h = jobs.start('Importing', 'import');
    expect(jobs.list[0]).toMatchObject({ label: 'Importing', progress: null });
    h.report(0.25, 'a quarter');
    expect(jobs.list[0]).toMatchObject({ progress: 0.25, message: 'a quarter' });
    expect(jobs.cancelOwner('import')).toBe(1);
    expect(h.signal.aborted).toBe(true);
    h.finish();
    expect(jobs.cancelOwner('import')).toBe(0);
    expect(jobs.busy).toBe(false);
  });
});
