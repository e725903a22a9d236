/**
 * Dumps every `auto` candidate's dev and test posteriors on the WRENCH sets to /tmp (one JSON per
 * dataset), so selection rules can be compared without refitting (bench/studies/auto-rules.ts).
 */
import { mkdirSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readWrenchDir } from '../../src/cli/wrench-dir.ts';
import { createLabelModel } from '../../src/core/labelmodel/index.ts';
import { MetalLabelModel } from '../../src/core/labelmodel/metal.ts';
import type { LabelModel } from '../../src/core/labelmodel/types.ts';

const MODELS: { name: string; make: () => LabelModel }[] = [
  { name: 'metal', make: () => new MetalLabelModel({ balance: 'dev' }, 'metal') },
  { name: 'metal_uniform', make: () => new MetalLabelModel({ balance: 'uniform' }, 'metal_uniform') },
  { name: 'wmv', make: () => createLabelModel('wmv') },
  { name: 'mv', make: () => createLabelModel('mv') },
  { name: 'ds', make: () => createLabelModel('ds') },
  { name: 'triplet', make: () => createLabelModel('triplet') },
];
const out = '/tmp/lm-study';
mkdirSync(out, { recursive: true });
const roots = ['wrench', 'wrench_extra'].map((d) => join(import.meta.dirname, '..', '..', '..', 'shared', 'data', d));
for (const root of roots) {
  if (!existsSync(root)) continue;
  for (const d of readdirSync(root).sort()) {
    if (!existsSync(join(root, d, 'train.json'))) continue;
    const data = await readWrenchDir(join(root, d));
    const res: Record<string, unknown> = {
      name: data.name,
      k: data.k,
      devY: Array.from(data.valid!.labels),
      testY: Array.from(data.test!.labels),
    };
    const post: Record<string, { dev: number[]; test: number[] }> = {};
    for (const { name, make } of MODELS) {
      const m = make();
      await m.fit(data.train.L, { devL: data.valid!.L, devY: data.valid!.labels, seed: 0, tie: 'snorkel' });
      post[name] = { dev: Array.from(m.predictProba(data.valid!.L)), test: Array.from(m.predictProba(data.test!.L)) };
    }
    res.post = post;
    writeFileSync(join(out, `${data.name}.json`), JSON.stringify(res));
    console.log(data.name);
  }
}
