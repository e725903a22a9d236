/**
 * The LF runtime on Chromium's page thread, profiled with the CDP sampling profiler: the 20
 * spec LFs over generated rows, one warm-up run, then a profiled run. Prints wall ms and the
 * per-LF ms the runtime reports; writes the .cpuprofile (open it in Chrome DevTools, or sum
 * self time per function). Chromium's V8 differs from Node's (string hashing, for one), so a
 * Node profile alone can mislead.
 *
 *   npx tsx bench/studies/lf-apply-chromium-profile.ts [rows=300000] [out=/tmp/shoal-lf-chromium.cpuprofile]
 */
import { resolve } from 'node:path';
import { writeFileSync } from 'node:fs';

const n = Number(process.argv[2] ?? 300000);
const out = process.argv[3] ?? '/tmp/shoal-lf-chromium.cpuprofile';
const { createServer } = await import('vite');
const { chromium } = await import('playwright-core');
const server = await createServer({ configFile: resolve('vite.config.ts'), logLevel: 'silent', server: { host: '127.0.0.1', port: 0 } });
await server.listen();
const origin = new URL(server.resolvedUrls!.local[0]).origin;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--disable-gpu', '--no-first-run'] });
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${origin}/bench/scale.html`, { waitUntil: 'load' });
  await page.evaluate(`(async () => {
    window.__lf = await import('/src/core/lf/index.ts');
    window.__gen = await import('/bench/lf-apply-gen.ts');
    window.__defs = await import('/bench/lf-apply-defs.ts');
    const rows = window.__gen.generateRows(${n}, 0);
    window.__chunks = [];
    for (let s = 0; s < rows.length; s += 1000) window.__chunks.push({ start: s, rows: rows.slice(s, s + 1000) });
  })()`);
  const cdp = await page.context().newCDPSession(page);
  const run = () =>
    page.evaluate(`(() => {
    // The page has no LF sandbox: the code LFs do not compile here, the templates are profiled.
    const rt = window.__lf.LfRuntime.fromDefs(window.__defs.BENCH_LFS.filter((d) => d.kind !== 'code'), [...window.__defs.BENCH_CLASSES]);
    const t0 = performance.now();
    const ms = new Array(rt.size).fill(0);
    for (const c of window.__chunks) { const r = rt.applyChunk(c); r.ms.forEach((x, j) => (ms[j] += x)); }
    return { ms: Math.round(performance.now() - t0), perLf: Object.fromEntries(rt.names.map((name, j) => [name, Math.round(ms[j])])) };
  })()`);
  console.log('warm-up', JSON.stringify(await run()));
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  console.log('profiled', JSON.stringify(await run()));
  const { profile } = await cdp.send('Profiler.stop');
  writeFileSync(out, JSON.stringify(profile));
  console.log(`profile written to ${out}`);
} finally {
  await browser.close();
  await server.close();
}
