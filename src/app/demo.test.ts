import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { hardenedSandbox } from '../core/lf/hardened-realm.ts';
import { LfRuntime } from '../core/lf/runtime.ts';
import { ABSTAIN, ShoalError } from '../core/types.ts';
import { buildDemo } from '../../scripts/build-demo.ts';
import { DEMO_FILE, DEMO_LFS, DEMO_META_FILE, fetchDemo, type DemoMeta, type DemoRow } from './demo.ts';

const row = (subject: string, body: string): DemoRow => ({ id: 'x', split: 'dev', subject, from: 'a@b.c', body, label: null });

function fakeFetch(files: Record<string, Uint8Array | string>) {
  return async (url: string) => {
    const f = files[url];
    if (f === undefined) return new Response('not found', { status: 404 });
    return new Response(f as BodyInit);
  };
}

function metaFor(rows: DemoRow[]): DemoMeta {
  return {
    name: 't',
    description: '',
    source: '',
    license: '',
    builderVersion: 1,
    packageVersion: '0',
    seed: 0,
    rows: rows.length,
    duplicatesDropped: 0,
    classes: ['ham', 'spam'],
    textField: 'body',
    fields: [],
    splits: { train: { rows: 0, ham: 0, spam: 0 }, dev: { rows: rows.length, ham: 0, spam: 0 }, test: { rows: 0, ham: 0, spam: 0 } },
    file: DEMO_FILE,
    sha256: '',
  };
}

describe('starter LFs', () => {
  const rt = LfRuntime.fromDefs(DEMO_LFS, ['ham', 'spam'], { textField: 'body', sandbox: hardenedSandbox() });

  it('all compile in the LF runtime and have unique names', () => {
    expect(rt.compileErrors).toEqual(DEMO_LFS.map(() => null));
    expect(new Set(DEMO_LFS.map((l) => l.name)).size).toBe(DEMO_LFS.length);
    expect(DEMO_LFS.some((l) => l.kind === 'code')).toBe(true);
  });

  it('vote as intended on hand-written emails', () => {
    const rows = [
      row('FREE MONEY NOW', 'Click here to claim $1,000 in cash'),
      row('Re: build broken', '> it fails on perl 5.8\nworks for me'),
      row('lunch?', 'see you at noon'),
    ];
    const r = rt.applyChunk({ start: 0, rows });
    const votes = (lf: string) =>
      Array.from(r.votes.subarray(DEMO_LFS.findIndex((l) => l.name === lf) * 3, (DEMO_LFS.findIndex((l) => l.name === lf) + 1) * 3));
    expect(votes('money_words')).toEqual([1, ABSTAIN, ABSTAIN]);
    expect(votes('click_here')).toEqual([1, ABSTAIN, ABSTAIN]);
    expect(votes('dollar_amount')).toEqual([1, ABSTAIN, ABSTAIN]);
    expect(votes('reply_subject')).toEqual([ABSTAIN, 0, ABSTAIN]);
    expect(votes('quoted_text')).toEqual([ABSTAIN, 0, ABSTAIN]);
    expect(votes('shouting_subject')).toEqual([1, ABSTAIN, ABSTAIN]);
    expect(r.errors.every((e) => e === null)).toBe(true);
  });

  // Uses the demo `vite dev`/`vite build` generated, or builds it (~2 s) on a fresh clone.
  it('are better than chance on the real demo dev split', async () => {
    let dir = 'public/demo';
    if (!existsSync(join(dir, DEMO_META_FILE))) {
      dir = mkdtempSync(join(tmpdir(), 'shoal-demo-'));
      buildDemo(dir);
    }
    const files = {
      [`/demo/${DEMO_META_FILE}`]: readFileSync(join(dir, DEMO_META_FILE), 'utf8'),
      [`/demo/${DEMO_FILE}`]: new Uint8Array(readFileSync(join(dir, DEMO_FILE))),
    };
    const { rows } = await fetchDemo('/', fakeFetch(files));
    const dev = rows.filter((r) => r.split === 'dev');
    const res = rt.applyChunk({ start: 0, rows: dev });
    DEMO_LFS.forEach((lf, j) => {
      let right = 0,
        wrong = 0;
      for (let i = 0; i < dev.length; i++) {
        const v = res.votes[j * dev.length + i];
        if (v === ABSTAIN) continue;
        if (v === (dev[i].label === 'spam' ? 1 : 0)) right++;
        else wrong++;
      }
      expect(right + wrong, `${lf.name} coverage`).toBeGreaterThan(dev.length * 0.02);
      expect(right / (right + wrong), `${lf.name} accuracy`).toBeGreaterThan(0.6);
    });
  });
});

describe('fetchDemo', () => {
  const rows = [row('a', 'b'), row('c', 'd')];
  const jsonl = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

  it('reads gzip, and plain text when a host already decoded Content-Encoding', async () => {
    for (const body of [new Uint8Array(gzipSync(jsonl)), jsonl]) {
      const got = await fetchDemo(
        '/sub/',
        fakeFetch({ [`/sub/demo/${DEMO_META_FILE}`]: JSON.stringify(metaFor(rows)), [`/sub/demo/${DEMO_FILE}`]: body }),
      );
      expect(got.rows).toEqual(rows);
    }
  });

  it('rejects a truncated file and a missing build with one clear sentence', async () => {
    const short = fakeFetch({ [`/demo/${DEMO_META_FILE}`]: JSON.stringify({ ...metaFor(rows), rows: 3 }), [`/demo/${DEMO_FILE}`]: jsonl });
    await expect(fetchDemo('/', short)).rejects.toThrow(/has 2 rows but its metadata says 3/);
    await expect(fetchDemo('/', fakeFetch({}))).rejects.toThrow(ShoalError);
    await expect(fetchDemo('/', fakeFetch({}))).rejects.toThrow(/HTTP 404.*npm run build/);
    const bad = fakeFetch({ [`/demo/${DEMO_META_FILE}`]: JSON.stringify(metaFor(rows)), [`/demo/${DEMO_FILE}`]: '{"id":1}\n{oops\n' });
    await expect(fetchDemo('/', bad)).rejects.toThrow(/line 1 lacks subject/);
  });
});
