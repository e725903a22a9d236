/**
 * CPU time and resident memory of a Chromium process tree, read from /proc (Linux): what the
 * browser benchmarks report beside wall time. RSS counts pages shared between processes once
 * per process, so sums over processes overstate what the tree holds together.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcTree {
  /** utime + stime of every Chromium process under the root, ms. */
  cpuMs: number;
  /** RSS summed over every Chromium process under the root, MB. */
  rssMB: number;
  /** RSS of the largest renderer process, MB: the tab (page + its dedicated workers) when one page is open. */
  rendererMB: number;
  /** RSS summed over every renderer process, MB: the tab plus the out-of-process frames it made (the isolated LF workers' frames). */
  renderersMB: number;
  rendererCount: number;
  /** CPU ms by process type (renderer, gpu-process, utility, storage, browser, …). */
  cpuByType: Record<string, number>;
}

/** CPU and RSS summed over this process's descendants whose name starts with "chrom". */
export function procTree(root: number): ProcTree {
  const parent = new Map<number, number>();
  const stat = new Map<number, string[]>();
  const name = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      name.set(Number(d), s.slice(s.indexOf('(') + 1, s.lastIndexOf(')')));
      parent.set(Number(d), Number(f[1]));
      stat.set(Number(d), f);
    } catch {
      // The process ended while being read.
    }
  }
  let cpu = 0;
  let rss = 0;
  let renderer = 0;
  let renderers = 0;
  let rendererCount = 0;
  const cpuByType: Record<string, number> = {};
  for (const [pid, f] of stat) {
    if (!name.get(pid)?.startsWith('chrom')) continue;
    let p: number | undefined = pid;
    while (p !== undefined && p !== root && p > 1) p = parent.get(p);
    if (p !== root) continue;
    const ticks = Number(f[11]) + Number(f[12]); // utime + stime, clock ticks (100 Hz)
    cpu += ticks;
    rss += Number(f[21]) * 4096;
    try {
      // The tab is its renderer process (page + dedicated workers): the largest one is ours.
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('--type=renderer')) {
        renderer = Math.max(renderer, Number(f[21]) * 4096);
        renderers += Number(f[21]) * 4096;
        rendererCount++;
      }
      // Which process does the work: the tab, the storage service (IndexedDB), the browser, …
      const type = /--utility-sub-type=storage/.test(cmd) ? 'storage' : (/--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser');
      cpuByType[type] = (cpuByType[type] ?? 0) + ticks * 10;
    } catch {
      // Ended meanwhile.
    }
  }
  return { cpuMs: cpu * 10, rssMB: rss / 1e6, rendererMB: renderer / 1e6, renderersMB: renderers / 1e6, rendererCount, cpuByType };
}
