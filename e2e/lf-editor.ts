/**
 * Browser-test steps shared by the suites: the LF editor, and opening the demo on a screen.
 */
import type { Page } from 'playwright-core';
import type { Harness } from './harness.ts';

/** Open a new LF, name it, switch it to code and replace the editor's text with `source`. */
export async function writeCodeLf(page: Page, name: string, source: string): Promise<void> {
  await page.getByTestId('lf-new').click();
  await page.getByTestId('lf-name').fill(name);
  await page.getByTestId('lf-kind').selectOption('code');
  const code = page.getByTestId('lf-code');
  await code.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await code.fill(source);
}

export const lfRow = (page: Page, name: string) => page.locator(`[data-testid="lf-row"][data-lf-name="${name}"]`);

/** Load the demo and wait on the LF screen until its starter LFs have run. */
export async function openDemoLfs(h: Harness): Promise<void> {
  await h.goto();
  await h.page.getByTestId('load-demo').click();
  await h.page.getByTestId('dataset-ready').waitFor({ state: 'visible' });
  await h.goto('#/lfs');
  await lfRow(h.page, 'money_words')
    .getByText(/% coverage/)
    .waitFor({ timeout: 60_000 });
}

/** Load the demo and wait on the Model screen until its starter LFs have votes (the fit button enables then). */
export async function openDemoModel(h: Harness): Promise<void> {
  await h.goto();
  await h.page.getByTestId('load-demo').click();
  await h.page.getByTestId('dataset-ready').waitFor({ state: 'visible', timeout: 120_000 });
  await h.goto('#/model');
  await h.page.getByText('Turns the 6 enabled LFs').waitFor({ timeout: 120_000 });
}
