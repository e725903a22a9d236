/**
 * Project files and the project list from the user's side: a malformed `.shoal.json` picked in
 * the app is refused with one sentence naming the field, and nothing is stored (every IndexedDB
 * store is compared before and after); a file that is merely missing optional parts imports
 * whole; "Open a project file" on the first screen opens the picker; the list tells projects of
 * the same name apart (rows, source file, created, modified) and renames them; a project file
 * can carry the fitted label model and classifier into a fresh browser, marked as from the file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readBundle, writeBundle, type ProjectBundle } from '../src/core/formats/bundle.ts';
import { browserSuite, Harness } from './harness.ts';

/** Every object store of the app's database: record count, and the names of projects and LFs. */
async function storage(h: Harness): Promise<Record<string, unknown>> {
  return h.page.evaluate(async () => {
    const open = indexedDB.open('shoal');
    const db = await new Promise<IDBDatabase>((res, rej) => {
      open.onsuccess = () => res(open.result);
      open.onerror = () => rej(open.error);
    });
    const out: Record<string, unknown> = {};
    for (const name of Array.from(db.objectStoreNames)) {
      const rows = await new Promise<Record<string, unknown>[]>((res, rej) => {
        const r = db.transaction(name).objectStore(name).getAll();
        r.onsuccess = () => res(r.result as Record<string, unknown>[]);
        r.onerror = () => rej(r.error);
      });
      out[name] = name === 'projects' || name === 'lfs' ? rows.map((x) => x.name).sort() : rows.length;
    }
    db.close();
    return out;
  });
}

function bundle(): Record<string, any> {
  const rows = Array.from({ length: 12 }, (_, i) => ({
    id: `m${i}`,
    text: i % 3 ? `win a free prize now ${i}` : `see you at lunch, ${i}`,
  }));
  const b: Omit<ProjectBundle, 'format' | 'schemaVersion'> = {
    exportedAt: '2026-01-01T00:00:00.000Z',
    project: { name: 'From a file' },
    dataset: {
      name: 'sms',
      fields: ['id', 'text'],
      textField: 'text',
      classes: ['ham', 'spam'],
      splitCounts: { train: 8, dev: 2, test: 2 },
    },
    settings: { textFields: ['text'], fields: ['id', 'text'], idField: 'id' },
    lfs: [
      {
        id: 'a',
        name: 'free',
        enabled: true,
        kind: 'keyword',
        label: 'spam',
        keywords: ['free'],
        mode: 'any',
        match: 'word',
        caseSensitive: false,
      },
      { id: 'b', name: 'lunch', enabled: true, kind: 'lookup', label: 'ham', values: ['lunch'], match: 'word', caseSensitive: false },
    ],
    gold: {
      train: [],
      dev: [
        [0, 0],
        [1, 1],
      ],
      test: [[0, 1]],
    },
    model: { labelModel: 'mv', classBalance: 'uniform', seed: 1 },
    data: { rows, split: ['train', 'dev', 'train', 'train', 'dev', 'train', 'test', 'train', 'train', 'test', 'train', 'train'] },
  };
  return JSON.parse(writeBundle(b)) as Record<string, any>;
}

browserSuite('project files: validated before anything is stored', () => {
  const h = new Harness();
  h.screenshotOnFailure();
  const dir = mkdtempSync(join(tmpdir(), 'shoal-bundles-'));
  const file = (name: string, edit: (b: Record<string, any>) => void): string => {
    const b = bundle();
    edit(b);
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(b));
    return path;
  };

  beforeAll(async () => {
    await h.start();
    await h.goto('#/export');
    await h.page.getByTestId('import-project').waitFor({ state: 'attached' });
  });
  afterAll(async () => {
    await h.close();
  });

  const refusals: [string, (b: Record<string, any>) => void, string][] = [
    [
      'keywords-string.shoal.json',
      (b) => (b.lfs[0].keywords = 'free'),
      'keywords-string.shoal.json: this project file\'s lfs[0].keywords (LF "free") must be a list of keywords (text), not text; fix that field in the file, or export the project again from Shoal (Export → Project)',
    ],
    [
      'lookup-no-values.shoal.json',
      (b) => delete b.lfs[1].values,
      'lookup-no-values.shoal.json: this project file has no lfs[1].values (LF "lunch"), which must be a list of values (text); add it, or export the project again from Shoal (Export → Project)',
    ],
    [
      'no-project.shoal.json',
      (b) => delete b.project,
      'no-project.shoal.json: this project file has no project, which must be an object; add it, or export the project again from Shoal (Export → Project)',
    ],
    [
      'huge-code.shoal.json',
      (b) => b.lfs.push({ id: 'c', name: 'big', enabled: true, kind: 'code', source: `// ${'x'.repeat(100_000)}` }),
      'huge-code.shoal.json: this project file\'s lfs[2].source (LF "big") must be at most 100,000 characters long (it has 100,003); fix that field in the file, or export the project again from Shoal (Export → Project)',
    ],
  ];

  for (const [name, edit, sentence] of refusals) {
    it(`refuses ${name} with one sentence and stores nothing`, async () => {
      const page = h.page;
      const before = await storage(h);
      await page.getByTestId('import-project').setInputFiles(file(name, edit));
      const alert = page.getByTestId('import-error');
      await alert.filter({ hasText: name }).waitFor();
      expect((await alert.textContent())?.trim()).toBe(sentence);
      // Nothing to review, nothing to confirm, nothing stored, nothing thrown.
      expect(await page.getByTestId('import-review').count()).toBe(0);
      expect(await storage(h)).toEqual(before);
      expect(h.pageErrors).toEqual([]);
      await h.shot(`project-file-refused-${name}`);
    });
  }

  it('a file that passes review but whose rows fail to import leaves no project behind', async () => {
    const page = h.page;
    const before = await storage(h);
    const path = file('rows-fail.shoal.json', (b) => {
      // Named as a field, but no row has it.
      b.dataset.fields = ['id', 'text', 'body'];
      b.settings.textFields = ['body'];
    });
    await page.getByTestId('import-project').setInputFiles(path);
    await page.getByTestId('import-review').waitFor();
    await page.getByTestId('import-confirm').click();
    const alert = page.getByTestId('import-error');
    await alert.filter({ hasText: 'body' }).waitFor({ timeout: 60_000 });
    expect(await alert.textContent()).toMatch(/^rows-fail\.shoal\.json: has no column "body"/);
    expect(await storage(h)).toEqual(before);
    expect(h.pageErrors).toEqual([]);
  });

  it('"Open a project file" on the first screen opens the file picker; a file without settings imports whole', async () => {
    const page = h.page;
    await h.goto('#/home');
    const before = await storage(h);
    expect(before.projects).toEqual([]);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('open-project').click()]);
    // The picker opened where the user was: the first screen, not another screen.
    expect(page.url()).toMatch(/#\/home$/);
    await chooser.setFiles(file('no-settings.shoal.json', (b) => delete b.settings));
    await page.getByTestId('import-review').waitFor();
    await h.shot('project-file-review-on-start');
    await page.getByTestId('import-confirm').click();
    await page
      .locator('[data-testid="lf-row"][data-lf-name="lunch"]')
      .getByText(/% coverage/)
      .waitFor({ timeout: 60_000 });
    const after = await storage(h);
    expect(after.projects).toEqual(['From a file']);
    expect(after.lfs).toEqual(['free', 'lunch']);
    expect(h.pageErrors).toEqual([]);
  });

  it('lists projects with rows, source file, created and modified, so two of the same name can be told apart', async () => {
    const page = h.page;
    // A second project of the same name, from another file with more rows.
    await h.goto('#/home');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('open-project').click()]);
    await chooser.setFiles(
      file('bigger.shoal.json', (b) => {
        const extra = Array.from({ length: 8 }, (_, i) => ({ id: `x${i}`, text: `free entry ${i}` }));
        b.data.rows.push(...extra);
        b.data.split.push(...extra.map(() => 'train'));
        b.dataset.splitCounts.train += extra.length;
      }),
    );
    await page.getByTestId('import-confirm').click();
    await page
      .locator('[data-testid="lf-row"][data-lf-name="lunch"]')
      .getByText(/% coverage/)
      .waitFor({ timeout: 60_000 });
    await h.goto('#/home');
    const rows = page.getByTestId('project');
    await rows.nth(1).getByTestId('project-source').waitFor();
    expect(await rows.count()).toBe(2);
    const seen = [];
    for (let i = 0; i < 2; i++) {
      const r = rows.nth(i);
      const created = Date.parse((await r.getByTestId('project-created').getAttribute('datetime'))!);
      const modified = Date.parse((await r.getByTestId('project-modified').getAttribute('datetime'))!);
      // The import wrote LFs and gold after creating the project.
      expect(modified).toBeGreaterThanOrEqual(created);
      seen.push([
        await r.getAttribute('data-project-name'),
        await r.getByTestId('project-rows').textContent(),
        await r.getByTestId('project-source').textContent(),
      ]);
    }
    expect(seen).toEqual([
      ['From a file', '12 rows', 'no-settings.shoal.json'],
      ['From a file', '20 rows', 'bigger.shoal.json'],
    ]);
    await h.shot('project-list');
  });

  it('renames a project; the name is stored and an empty name is refused with a sentence', async () => {
    const page = h.page;
    const row = page.getByTestId('project').nth(0);
    await row.getByTestId('project-rename').click();
    await row.getByTestId('project-name-input').fill('   ');
    await row.getByTestId('project-rename-save').click();
    expect(await row.getByTestId('project-rename-error').textContent()).toBe('type a name for the project');
    expect((await storage(h)).projects).toEqual(['From a file', 'From a file']);
    await row.getByTestId('project-name-input').fill('SMS  from 1990');
    await row.getByTestId('project-name-input').press('Enter');
    await page.locator('[data-testid="project"][data-project-name="SMS from 1990"]').waitFor();
    expect((await storage(h)).projects).toEqual(['From a file', 'SMS from 1990']);
    // It survives a reload, and the modified date moved with the rename.
    await page.reload({ waitUntil: 'load' });
    await h.goto('#/home');
    const renamed = page.locator('[data-testid="project"][data-project-name="SMS from 1990"]');
    await renamed.waitFor();
    expect(await renamed.getByTestId('project-rows').textContent()).toBe('12 rows');
    const created = Date.parse((await renamed.getByTestId('project-created').getAttribute('datetime'))!);
    const modified = Date.parse((await renamed.getByTestId('project-modified').getAttribute('datetime'))!);
    expect(modified).toBeGreaterThan(created);
    expect(h.pageErrors).toEqual([]);
    h.assertNoEgress();
  });

  it('exports the fitted label model and classifier when asked (off by default), and a fresh browser restores them marked as from the file', async () => {
    const page = h.page;
    const text = async (id: string) => ((await page.getByTestId(id).first().textContent()) ?? '').trim();
    await h.goto('#/model');
    await page.getByTestId('lm-fit').click();
    await page.getByTestId('lm-metrics').waitFor({ timeout: 120_000 });
    await page.getByTestId('clf-settings').locator('summary').click();
    await page.getByTestId('clf-set-epochs').fill('5');
    await page.getByTestId('clf-set-epochs').blur();
    await page.getByTestId('clf-train').click();
    await page.getByTestId('clf-metrics').waitFor({ timeout: 120_000 });
    const fitted = { lm: await text('lm-dev-acc'), clf: await text('clf-test-acc') };

    await h.goto('#/export');
    const box = page.getByTestId('export-include-models');
    expect(await box.isChecked()).toBe(false);
    const [plain] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-project').click()]);
    expect(JSON.parse(readFileSync((await plain.path())!, 'utf8')).models).toBeUndefined();
    await box.check();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-project').click()]);
    expect(await text('export-done')).toMatch(/with the label model and the classifier\)\.$/);
    const withModels = join(dir, dl.suggestedFilename());
    await dl.saveAs(withModels);
    const b = readBundle(readFileSync(withModels, 'utf8'));
    expect(b.models?.labelModel?.lfNames).toEqual(['free', 'lunch']);
    expect(b.models?.classifier?.onFileLabelModel).toBe(true);

    const fresh = new Harness();
    await fresh.start();
    try {
      const p2 = fresh.page;
      await fresh.goto('#/home');
      const [chooser] = await Promise.all([p2.waitForEvent('filechooser'), p2.getByTestId('open-project').click()]);
      await chooser.setFiles(withModels);
      await p2.getByTestId('import-confirm').click();
      await p2
        .locator('[data-testid="lf-row"][data-lf-name="lunch"]')
        .getByText(/% coverage/)
        .waitFor({ timeout: 60_000 });
      await fresh.goto('#/model');
      const lmMark = p2.getByTestId('lm-from-file');
      await lmMark.waitFor({ timeout: 60_000 });
      expect(await lmMark.textContent()).toContain(dl.suggestedFilename());
      const clfMark = p2.getByTestId('clf-from-file');
      await clfMark.waitFor({ timeout: 60_000 });
      expect(await clfMark.textContent()).toContain(dl.suggestedFilename());
      // The same fit and classifier, not a new one: same scores, and the classifier matches the fit.
      expect(((await p2.getByTestId('lm-dev-acc').textContent()) ?? '').trim()).toBe(fitted.lm);
      expect(((await p2.getByTestId('clf-test-acc').textContent()) ?? '').trim()).toBe(fitted.clf);
      expect(await p2.getByTestId('clf-stale').count()).toBe(0);
      await fresh.shot('models-from-file');
      expect(fresh.pageErrors).toEqual([]);
      fresh.assertNoEgress();
    } finally {
      await fresh.close();
    }
  }, 300_000);
});
