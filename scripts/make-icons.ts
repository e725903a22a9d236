/**
 * Renders the PWA icons (public/icons/*.png) from their SVG sources with the same Chromium the
 * browser tests use. Run by hand after editing an SVG: `npx tsx scripts/make-icons.ts`.
 * The PNGs are committed; the build does not depend on Chromium.
 */
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const jobs: [svg: string, png: string, size: number][] = [
  ['public/icons/icon.svg', 'public/icons/icon-192.png', 192],
  ['public/icons/icon.svg', 'public/icons/icon-512.png', 512],
  ['public/icons/maskable.svg', 'public/icons/maskable-512.png', 512],
  ['public/icons/icon.svg', 'public/icons/apple-touch-icon.png', 180],
];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
try {
  for (const [svg, png, size] of jobs) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const src = `data:image/svg+xml;base64,${Buffer.from(readFileSync(svg)).toString('base64')}`;
    await page.setContent(`<style>html,body{margin:0;background:transparent}</style><img src="${src}" width="${size}" height="${size}">`);
    await page.screenshot({ path: png, omitBackground: true });
    await page.close();
    console.log(`${png} (${size}×${size})`);
  }
} finally {
  await browser.close();
}
