/**
 * Browser-test steps for the LF editor, shared by the suites that write LFs.
 */
import type { Page } from 'playwright-core';

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
