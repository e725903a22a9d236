/**
 * The whole loop in Chromium, from the user's side of the screen, on the demo: fit the label
 * model, annotate 10 rows by keyboard, train the classifier, see metrics, export to ONNX and
 * check it against tfjs, download the labels and the ONNX model and read them back here, then
 * export the project and re-import it into a fresh browser profile.
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashTexts } from '../src/core/classifier/featurize.ts';
import { onnxInputs } from '../src/core/classifier/onnx.ts';
import { readBundle } from '../src/core/formats/bundle.ts';
import { readNpyInt8 } from '../src/core/formats/export.ts';
import { parquetReadObjects } from 'hyparquet';
import { browserSuite, Harness } from './harness.ts';
import { openDemoModel } from './lf-editor.ts';

browserSuite('the loop: label model, annotation, classifier, ONNX, exports, project round trip', () => {
  const h = new Harness();
  h.screenshotOnFailure();
  let projectFile = '';
  let bundleText = '';

  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.close();
  });

  it('fits the label model on the demo and shows the chosen model beside majority vote', async () => {
    await openDemoModel(h);
    const page = h.page;
    await page.getByTestId('lm-fit').click();
    const metrics = page.getByTestId('lm-metrics');
    await metrics.waitFor({ timeout: 120_000 });
    const text = (await metrics.textContent()) ?? '';
    expect(text).toMatch(/Chosen model: (metal|ds|triplet|wmv|mv) \(auto\)/);
    const dev = Number((await page.getByTestId('lm-dev-acc').textContent())!.replace('%', ''));
    const test = Number((await page.getByTestId('lm-test-acc').textContent())!.replace('%', ''));
    // The demo's starter LFs are decent: well above chance, not perfect.
    expect(dev).toBeGreaterThan(60);
    expect(test).toBeGreaterThan(60);
    expect(text).toContain('majority vote');
    expect(text).toMatch(/backend (wasm|webgl|webgpu|cpu)/);
    // auto says its rule and why it chose what it chose, naming the model it chose.
    const rule = (await page.getByTestId('lm-auto-rule').textContent()) ?? '';
    const chosen = /Chosen model: (\w+) \(auto\)/.exec(text)![1];
    expect(rule).toMatch(
      /^auto takes the first model, in the order metal( → metal_uniform)? → wmv → mv → ds → triplet, whose dev accuracy is within one standard error of the best/,
    );
    expect(rule).toContain(`): ${chosen} `);
    expect(await page.getByTestId('lm-gold-stale').count()).toBe(0);
    await h.shot('loop-label-model');
  });

  it('refits by itself when an LF is switched off, and again when it is back', async () => {
    const page = h.page;
    const lfRows = page.locator('[data-testid="lm-lf-table"] tbody tr');
    expect(await lfRows.count()).toBe(6);
    await page.getByRole('link', { name: 'LFs' }).click();
    await page.getByLabel('Enable shouting_subject').uncheck();
    await page.getByRole('link', { name: 'Model' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="lm-lf-table"] tbody tr').length === 5, null, {
      timeout: 60_000,
    });
    expect(await page.locator('[data-testid="lm-lf-table"] tr[data-lf="shouting_subject"]').count()).toBe(0);
    await page.getByRole('link', { name: 'LFs' }).click();
    await page.getByLabel('Enable shouting_subject').check();
    await page.getByRole('link', { name: 'Model' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="lm-lf-table"] tbody tr').length === 6, null, {
      timeout: 60_000,
    });
  });

  it('annotates 10 test rows by keyboard (label, clear, undo, skip), saved at once', async () => {
    const page = h.page;
    const card = page.getByTestId('annotate-card');
    const rowNow = () => card.getAttribute('data-row');
    const count = async () =>
      Number(((await page.getByTestId('annotate-progress').textContent()) ?? '').split(' of ')[0].replace(/,/g, ''));
    const waitCount = (n: number) =>
      page.waitForFunction(
        (want) =>
          document.querySelector('[data-testid="annotate-progress"]')?.textContent?.startsWith(`${want.toLocaleString('en-US')} of`),
        n,
      );
    await page.getByTestId('annotate-open').click();
    await card.waitFor();
    await page.getByTestId('annotate-split').selectOption('test');
    await page.waitForFunction(() =>
      /test rows labeled/.test(document.querySelector('[data-testid="annotate-progress"]')?.textContent ?? ''),
    );
    const total = await count();
    expect(total).toBeGreaterThan(100); // the demo's test rows come with gold
    const key = (label: string) => (label === 'ham' ? '1' : '2');
    const seen: string[] = [];
    const golds: string[] = [];
    // Keys go to the page, not to the split selector that has focus.
    await card.locator('.meta').click();
    for (let t = 0; t < 10; t++) {
      const row = (await rowNow())!;
      seen.push(row);
      const gold = (await page.getByTestId('annotate-current').textContent())!.trim();
      golds.push(gold);
      // 0 clears the label (the count drops), the class key labels it again and moves on.
      await page.keyboard.press('0');
      await waitCount(total - 1);
      await page.keyboard.press(key(gold));
      await waitCount(total);
      await page.waitForFunction((r) => document.querySelector('[data-testid="annotate-card"]')?.getAttribute('data-row') !== r, row);
    }
    expect(new Set(seen).size).toBe(10);
    expect(await page.getByTestId('annotate-progress').textContent()).toContain('10 new in this session');
    // Undo takes back the last label and returns to its row.
    await page.keyboard.press('u');
    await waitCount(total - 1);
    await page.waitForFunction((r) => document.querySelector('[data-testid="annotate-card"]')?.getAttribute('data-row') === r, seen[9]);
    expect((await page.getByTestId('annotate-current').textContent())!.trim()).toBe('—');
    // Skip moves on without labeling; ArrowLeft comes back.
    await page.keyboard.press('s');
    await page.waitForFunction((r) => document.querySelector('[data-testid="annotate-card"]')?.getAttribute('data-row') !== r, seen[9]);
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction((r) => document.querySelector('[data-testid="annotate-card"]')?.getAttribute('data-row') === r, seen[9]);
    await h.shot('loop-annotate');
    // Saved at once: after a reload the cleared row is still unlabeled, first in the queue.
    await page.reload({ waitUntil: 'load' });
    await card.waitFor({ timeout: 60_000 });
    await page.getByTestId('annotate-split').selectOption('test');
    await waitCount(total - 1);
    expect(await rowNow()).toBe(seen[9]);
    await card.locator('.meta').click();
    await page.keyboard.press(key(golds[9]));
    await waitCount(total);
  });

  it('trains the classifier with a live loss curve and shows its metrics beside the label model', async () => {
    const page = h.page;
    await h.goto('#/model');
    await page.getByTestId('lm-metrics').waitFor({ timeout: 60_000 });
    // Cancel first: the worker stops and the screen says so.
    await page.getByTestId('clf-train').click();
    await page.getByTestId('loss-curve').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Cancel', exact: true }).first().click();
    await page.getByText('Training was cancelled.').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('clf-metrics').count()).toBe(0);
    await page.getByTestId('clf-train').click();
    await page.getByTestId('loss-curve').waitFor({ timeout: 60_000 });
    const m = page.getByTestId('clf-metrics');
    await m.waitFor({ timeout: 170_000 });
    const acc = Number((await page.getByTestId('clf-test-acc').textContent())!.replace('%', ''));
    expect(acc).toBeGreaterThan(70);
    expect(await m.textContent()).toMatch(/label model/);
    // Default hash size: sized to the data. The demo's emails hold more distinct 1–2-grams than
    // 2^18, so auto picks a larger table, and says which.
    const hash = /2\^(\d+) buckets \(sized to the data\)/.exec((await page.getByTestId('clf-trained-settings').textContent()) ?? '');
    expect(Number(hash?.[1])).toBeGreaterThanOrEqual(19);
    expect(Number(hash?.[1])).toBeLessThanOrEqual(22);
    await h.shot('loop-classifier');
  }, 300_000);

  it('exports to ONNX, onnxruntime-web matches tfjs within 1e-5, and the download predicts the same in Node', async () => {
    const page = h.page;
    await page.getByTestId('export-onnx').click();
    const check = page.getByTestId('onnx-check');
    await check.waitFor({ timeout: 120_000 });
    const diff = Number(/= ([\d.e+-]+)/.exec((await check.textContent()) ?? '')![1]);
    expect(diff).toBeLessThanOrEqual(1e-5);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-onnx').click()]);
    expect(dl.suggestedFilename()).toMatch(/\.onnx$/);
    const bytes = readFileSync((await dl.path())!);
    const [dl2] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-sidecar').click()]);
    const sidecar = JSON.parse(readFileSync((await dl2.path())!, 'utf8')) as {
      classes: string[];
      featurization: { buckets: number; word_ngrams: number[]; char_ngrams: number[]; char_weight: number };
    };
    expect(sidecar.classes).toEqual(['ham', 'spam']);
    // Run the downloaded model in Node on two obvious texts: it must say spam for a pitch.
    const spec = { ...(await import('../src/core/classifier/featurize.ts')).DEFAULT_FEATURES, buckets: sidecar.featurization.buckets };
    const raw = hashTexts(
      ['click here to be removed free money guaranteed income $1000', 'Re: meeting tomorrow\n> see you at the office'],
      {
        ...spec,
        wordNgrams: sidecar.featurization.word_ngrams as [number, number],
        charNgrams: sidecar.featurization.char_ngrams as [number, number],
        charWeight: sidecar.featurization.char_weight,
      },
    );
    const x = onnxInputs(raw);
    const session = await ort.InferenceSession.create(new Uint8Array(bytes));
    const out = await session.run({
      indices: new ort.Tensor('int64', x.indices, x.dims),
      values: new ort.Tensor('float32', x.values, x.dims),
    });
    const p = out.probabilities.data as Float32Array;
    expect(p[1]).toBeGreaterThan(p[0]);
    expect(p[2]).toBeGreaterThan(p[3]);
    await session.release();
    await h.shot('loop-onnx');
  });

  it('downloads the labels as CSV with gold, probabilities and sources', async () => {
    const page = h.page;
    await h.goto('#/export');
    await page.getByTestId('export-labels').waitFor();
    await page.getByTestId('export-format').selectOption('csv');
    // Every row, the dev/test gold included (left out by default; e2e/export covers that).
    await page.getByTestId('export-include-eval-gold').check();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-labels').click()]);
    expect(dl.suggestedFilename()).toMatch(/\.labels\.csv$/);
    const csv = Papa.parse<Record<string, string>>(readFileSync((await dl.path())!, 'utf8'), { header: true, skipEmptyLines: true });
    const meta = JSON.parse(readFileSync('dist/demo/spam-assassin.meta.json', 'utf8')) as { rows: number };
    expect(csv.data.length).toBe(meta.rows);
    expect(csv.meta.fields).toEqual(expect.arrayContaining(['subject', 'body', 'label', 'label_id', 'p_ham', 'p_spam', 'label_source']));
    const sources = new Set(csv.data.map((r) => r.label_source));
    expect(sources.has('gold')).toBe(true);
    expect(sources.has('label_model')).toBe(true);
    for (const r of csv.data.slice(0, 200)) {
      expect(Math.abs(Number(r.p_ham) + Number(r.p_spam) - 1)).toBeLessThan(1e-4);
      if (r.label_source !== 'none') expect(['ham', 'spam']).toContain(r.label);
    }
    await h.shot('loop-export');
  });

  it('downloads classifier labels as Parquet and JSONL with filters, and the label matrix as .npy', async () => {
    const page = h.page;
    await page.getByTestId('export-source').selectOption('classifier');
    await page.getByTestId('export-format').selectOption('parquet');
    const [pq] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-labels').click()]);
    const bytes = readFileSync((await pq.path())!);
    const rows = (await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    })) as Record<string, unknown>[];
    const meta = JSON.parse(readFileSync('dist/demo/spam-assassin.meta.json', 'utf8')) as { rows: number };
    expect(rows.length).toBe(meta.rows);
    // The classifier labels every row; gold stays where a human gave it.
    expect(new Set(rows.map((r) => r.label_source))).toEqual(new Set(['gold', 'classifier']));
    expect(rows.every((r) => r.label === 'ham' || r.label === 'spam')).toBe(true);

    await page.getByTestId('export-format').selectOption('jsonl');
    await page.getByTestId('export-min-confidence').fill('0.9');
    const [jl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-labels').click()]);
    const lines = readFileSync((await jl.path())!, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number | string>);
    expect(lines.length).toBeLessThan(meta.rows);
    for (const r of lines) if (r.label_source !== 'gold') expect(Math.max(Number(r.p_ham), Number(r.p_spam))).toBeGreaterThanOrEqual(0.9);

    const [npy] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-matrix-npy').click()]);
    const { shape, data } = readNpyInt8(new Uint8Array(readFileSync((await npy.path())!)));
    expect(shape[1]).toBe(6);
    expect(shape[0]).toBeGreaterThan(3000);
    expect(data.every((v) => v >= -1 && v <= 1)).toBe(true);
    expect(data.some((v) => v === 1) && data.some((v) => v === 0)).toBe(true);
  });

  it('exports the project with its data', async () => {
    const page = h.page;
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-project').click()]);
    projectFile = (await dl.path())!;
    bundleText = readFileSync(projectFile, 'utf8');
    const b = readBundle(bundleText);
    expect(b.lfs.map((l) => l.name)).toContain('shouting_subject');
    expect(b.gold.test.length).toBeGreaterThan(10);
    expect(b.data?.rows.length).toBeGreaterThan(5000);
  });

  it('re-imports the project into a fresh profile, showing LF code before it runs', async () => {
    const fresh = new Harness();
    await fresh.start();
    try {
      const page = fresh.page;
      await fresh.goto('#/export');
      await page.getByTestId('import-project').setInputFiles(projectFile);
      await page.getByTestId('import-review').waitFor();
      const code = await page.getByTestId('import-code').allTextContents();
      expect(code.some((c) => c.includes('letters === letters.toUpperCase()'))).toBe(true);
      await fresh.shot('loop-import-review');
      await page.getByTestId('import-confirm').click();
      // Lands on the LF list with the imported LFs, run.
      await page.locator('[data-lf-name="shouting_subject"]').waitFor({ timeout: 120_000 });
      expect(await page.locator('[data-lf-name]').count()).toBe(6);
      await fresh.goto('#/model');
      await page.getByText('Turns the 6 enabled LFs').waitFor({ timeout: 120_000 });
      // The gold labels came along: the annotated test rows count as before.
      const b = readBundle(bundleText);
      expect(await page.getByText(`${b.gold.dev.length} dev and ${b.gold.test.length} test gold labels`).count()).toBe(1);
      await fresh.shot('loop-imported');
      // A bundle without data goes into the open dataset: its LFs are added beside the
      // existing ones (names made unique) and nothing runs before the review.
      await fresh.goto('#/export');
      await page.getByTestId('export-include-data').uncheck();
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-project').click()]);
      const noData = readBundle(readFileSync((await dl.path())!, 'utf8'));
      expect(noData.data).toBeUndefined();
      await page.getByTestId('import-project').setInputFiles((await dl.path())!);
      await page.getByTestId('import-review').waitFor();
      expect(await page.getByTestId('import-review').textContent()).toContain('into the open dataset');
      await page.getByTestId('import-confirm').click();
      await page.locator('[data-lf-name="shouting_subject_2"]').waitFor({ timeout: 120_000 });
      expect(await page.locator('[data-lf-name]').count()).toBe(12);
      fresh.assertNoEgress();
    } finally {
      await fresh.close();
    }
  });

  it('made no request outside its origin and threw no page error', () => {
    h.assertNoEgress();
    expect(h.pageErrors).toEqual([]);
  });
});
