/**
 * The dataset the user is working on, as the screens see it. Loading the demo fills it from
 * the generated static file (src/app/demo.ts) with the starter LFs.
 *
 * Rows are held with `$state.raw`: thousands of row objects must not become deep reactive
 * proxies; the whole dataset is replaced, never mutated in place.
 */
import { DEMO_LFS, fetchDemo } from './demo.ts';
import { jobs } from './jobs.svelte.ts';
import type { LfDef } from '../core/lf/types.ts';

export type Split = 'train' | 'dev' | 'test';

export interface Dataset {
  name: string;
  description: string;
  source: 'demo' | 'import';
  /** Fields in display order; LFs may read any of them. */
  fields: string[];
  textField: string;
  labelField: string | null;
  classes: string[];
  rows: readonly Record<string, unknown>[];
  splitCounts: Record<Split, number>;
  /** Rows with a gold label (dev/test in the demo). */
  goldCount: number;
  /** Attribution to show beside the data (licence, where it came from). */
  attribution?: { text: string; links: { label: string; href: string }[] };
}

class Session {
  dataset = $state.raw<Dataset | null>(null);
  lfs = $state.raw<readonly LfDef[]>([]);
  loading = $state(false);
  error = $state<string | null>(null);

  async loadDemo(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.error = null;
    try {
      const { meta, rows } = await jobs.run('Loading the demo', async (_signal, report) => {
        report(null, 'Fetching the SpamAssassin demo');
        return fetchDemo(import.meta.env.BASE_URL);
      });
      this.dataset = {
        name: meta.name,
        description: meta.description,
        source: 'demo',
        fields: ['subject', 'from', 'body'],
        textField: meta.textField,
        labelField: 'label',
        classes: [...meta.classes],
        rows,
        splitCounts: { train: meta.splits.train.rows, dev: meta.splits.dev.rows, test: meta.splits.test.rows },
        goldCount: meta.splits.dev.rows + meta.splits.test.rows,
        attribution: {
          text: `${meta.source}. ${meta.license}`,
          links: [
            { label: 'NOTICE', href: `${import.meta.env.BASE_URL}demo/NOTICE` },
            { label: 'LICENSE', href: `${import.meta.env.BASE_URL}demo/LICENSE` },
          ],
        },
      };
      this.lfs = DEMO_LFS;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      this.loading = false;
    }
  }
}

export const session = new Session();
