import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShoalError } from '../types.ts';
import { readBundle, writeBundle, type ProjectBundle } from './bundle.ts';
import { BUNDLE_LIMITS, formatPath } from './bundle-schema.ts';

type Json = Record<string, unknown>;

/** A valid bundle as plain JSON, with every LF kind and the data. */
function valid(): Json {
  const rows = Array.from({ length: 6 }, (_, i) => ({ text: `message ${i}`, n: i }));
  const b: Omit<ProjectBundle, 'format' | 'schemaVersion'> = {
    exportedAt: '2026-01-01T00:00:00.000Z',
    project: { name: 'sms' },
    dataset: {
      name: 'sms',
      fields: ['text', 'n'],
      textField: 'text',
      classes: ['ham', 'spam'],
      splitCounts: { train: 4, dev: 1, test: 1 },
    },
    settings: { textFields: ['text'], fields: ['text', 'n'], idField: null },
    lfs: [
      {
        id: 'a',
        name: 'kw',
        enabled: true,
        kind: 'keyword',
        label: 'spam',
        keywords: ['free'],
        mode: 'any',
        match: 'word',
        caseSensitive: false,
      },
      { id: 'b', name: 're', enabled: true, kind: 'regex', label: 'spam', pattern: '\\d{3}', flags: 'i' },
      { id: 'c', name: 'fld', enabled: true, kind: 'field', label: 'ham', field: 'n', op: '<', value: 2 },
      { id: 'd', name: 'lk', enabled: true, kind: 'lookup', label: 'ham', values: ['hi', 'hello'], match: 'word', caseSensitive: false },
      { id: 'e', name: 'len', enabled: false, kind: 'length', label: 'ham', unit: 'words', op: '<', value: 3 },
      { id: 'f', name: 'code', enabled: true, kind: 'code', source: "(x) => x.text.includes('win') ? 'spam' : null" },
    ],
    gold: { train: [], dev: [[0, 1]], test: [[0, 0]] },
    model: { labelModel: 'auto', classBalance: 'dev', seed: 1, classifier: { targets: 'soft', maxEpochs: 10 } },
    data: { rows, split: ['train', 'train', 'dev', 'train', 'test', 'train'] },
  };
  return JSON.parse(writeBundle(b)) as Json;
}

/** readBundle's error for `b` after `edit`; fails the test when it does not throw a ShoalError. */
function errorOf(edit: (b: any) => void): string {
  const b = valid();
  edit(b);
  try {
    readBundle(JSON.stringify(b));
  } catch (e) {
    expect(e).toBeInstanceOf(ShoalError);
    return (e as Error).message;
  }
  throw new Error('the malformed bundle was accepted');
}

/** One sentence: starts with "this project file", one line, says what to do. */
function expectOneSentence(msg: string): void {
  expect(msg).toMatch(/^this project file/);
  expect(msg).not.toMatch(/\n/);
  expect(msg).toMatch(/export (it|the project) again from Shoal \(Export → Project\)|update the app|pick the \.shoal\.json file/);
  expect(msg.length).toBeLessThan(400);
}

describe('project file schema', () => {
  it('accepts a valid bundle with every LF kind and keeps what the app understands', () => {
    const b = readBundle(JSON.stringify(valid()));
    expect(b.lfs.map((l) => l.kind)).toEqual(['keyword', 'regex', 'field', 'lookup', 'length', 'code']);
    expect(b.data?.rows.length).toBe(6);
    expect(b.model.classifier).toEqual({ targets: 'soft', maxEpochs: 10 });
  });

  // The three files that crashed the import screen with an uncaught TypeError, and the one
  // that left an empty project behind: each now reads, or fails with one sentence naming the field.
  it('names a keyword LF whose keywords are a string', () => {
    const msg = errorOf((b) => (b.lfs[0].keywords = 'free'));
    expect(msg).toBe(
      'this project file\'s lfs[0].keywords (LF "kw") must be a list of keywords (text), not text; fix that field in the file, or export the project again from Shoal (Export → Project)',
    );
    expectOneSentence(msg);
  });

  it('names a lookup LF without values', () => {
    const msg = errorOf((b) => delete b.lfs[3].values);
    expect(msg).toBe(
      'this project file has no lfs[3].values (LF "lk"), which must be a list of values (text); add it, or export the project again from Shoal (Export → Project)',
    );
    expectOneSentence(msg);
  });

  it('names a missing project', () => {
    const msg = errorOf((b) => delete b.project);
    expect(msg).toMatch(/^this project file has no project, which must be an object; add it/);
    expectOneSentence(msg);
    expect(errorOf((b) => (b.project = { name: 7 }))).toMatch(/project\.name must be text, not a whole number/);
    expect(errorOf((b) => (b.project = { name: '' }))).toMatch(/project\.name must not be empty/);
  });

  it('reads a bundle without settings with the dataset fields (they are hints), and validates them when present', () => {
    const b = valid();
    delete b.settings;
    expect(readBundle(JSON.stringify(b)).settings).toEqual({});
    expect(errorOf((x) => (x.settings = 'text'))).toMatch(/settings must be an object, not text/);
    expect(errorOf((x) => (x.settings.textFields = 'text'))).toMatch(/settings\.textFields must be a list of field names, not text/);
    expect(errorOf((x) => (x.settings.idField = 3))).toMatch(/settings\.idField must be text, not a whole number/);
    expect(errorOf((x) => (x.settings.textFields = ['body']))).toMatch(
      /settings\.textFields\[0\] must be one of the file's fields \(text, n\), not "body"/,
    );
    expect(errorOf((x) => (x.settings.idField = 'id'))).toMatch(/settings\.idField must be one of the file's fields \(text, n\), not "id"/);
    expect(errorOf((x) => (x.dataset.textField = 'body'))).toMatch(/dataset\.textField must be one of the file's fields/);
    // The stored columns (settings.fields) may add fields LFs do not read, such as the id.
    const withId = valid() as any;
    withId.settings = { textFields: ['text'], fields: ['id', 'text', 'n'], idField: 'id' };
    expect(readBundle(JSON.stringify(withId)).settings.idField).toBe('id');
  });

  it('checks the shape of every template kind', () => {
    expect(errorOf((b) => (b.lfs[0].keywords = []))).toMatch(/lfs\[0\]\.keywords \(LF "kw"\) must have at least 1 entry \(it has 0\)/);
    expect(errorOf((b) => (b.lfs[0].keywords = ['free', 3]))).toMatch(
      /lfs\[0\]\.keywords\[1\] \(LF "kw"\) must be text, not a whole number/,
    );
    expect(errorOf((b) => (b.lfs[0].mode = 'some'))).toMatch(/lfs\[0\]\.mode \(LF "kw"\) must be one of "any", "all", not "some"/);
    expect(errorOf((b) => (b.lfs[0].match = undefined))).toMatch(
      /has no lfs\[0\]\.match \(LF "kw"\), which must be one of "word", "token", "substring"; add it/,
    );
    expect(errorOf((b) => (b.lfs[0].caseSensitive = 'no'))).toMatch(/lfs\[0\]\.caseSensitive \(LF "kw"\) must be true or false, not text/);
    expect(errorOf((b) => delete b.lfs[1].pattern)).toMatch(/has no lfs\[1\]\.pattern \(LF "re"\), which must be text/);
    expect(errorOf((b) => (b.lfs[1].pattern = '(unclosed'))).toMatch(
      /lfs\[1\]\.pattern \(LF "re"\) must be a valid regular expression \(.*\)/,
    );
    expect(errorOf((b) => (b.lfs[1].flags = 'iq'))).toMatch(/lfs\[1\]\.flags \(LF "re"\) must be regular expression flags/);
    expect(errorOf((b) => delete b.lfs[2].field)).toMatch(/has no lfs\[2\]\.field \(LF "fld"\)/);
    expect(errorOf((b) => (b.lfs[2].op = 'between'))).toMatch(/lfs\[2\]\.op .* must be one of "<", /);
    expect(errorOf((b) => (b.lfs[2].value = [1]))).toMatch(/lfs\[2\]\.value \(LF "fld"\) must be text or a number, not a list/);
    expect(errorOf((b) => (b.lfs[3].values = 'hi'))).toMatch(/lfs\[3\]\.values \(LF "lk"\) must be a list of values \(text\), not text/);
    expect(errorOf((b) => (b.lfs[3].match = 'regex'))).toMatch(/lfs\[3\]\.match \(LF "lk"\) must be one of "value", "word"/);
    expect(errorOf((b) => (b.lfs[4].value = -1))).toMatch(/lfs\[4\]\.value \(LF "len"\) must be at least 0, not -1;/);
    expect(errorOf((b) => (b.lfs[4].unit = 'lines'))).toMatch(/lfs\[4\]\.unit/);
    expect(errorOf((b) => delete b.lfs[5].source)).toMatch(/has no lfs\[5\]\.source \(LF "code"\), which must be text/);
    expect(errorOf((b) => (b.lfs[5].source = { code: 1 }))).toMatch(/lfs\[5\]\.source \(LF "code"\) must be text, not an object/);
  });

  it('names an unknown LF kind, a missing id or name, and a label that is not a class', () => {
    expect(errorOf((b) => (b.lfs[0].kind = 'magic'))).toMatch(
      /lfs\[0\]\.kind \(LF "kw"\) must be one of "keyword", "regex", "field", "lookup", "length", "code", not "magic"/,
    );
    expect(errorOf((b) => (b.lfs[0] = 'kw'))).toMatch(/lfs\[0\] must be an object, not text|lfs\[0\]\.kind/);
    expect(errorOf((b) => delete b.lfs[0].id)).toMatch(/has no lfs\[0\]\.id \(LF "kw"\)/);
    expect(errorOf((b) => delete b.lfs[0].name)).toMatch(/has no lfs\[0\]\.name, which must be text/);
    expect(errorOf((b) => (b.lfs[0].label = 'eggs'))).toMatch(
      /lfs\[0\]\.label \(LF "kw"\) must be one of the project's classes \(ham, spam\), not "eggs"/,
    );
    expect(errorOf((b) => (b.lfs[1].name = 'kw'))).toMatch(/lfs\[1\]\.name must be unique \(LF #1 is also named "kw"\)/);
    expect(errorOf((b) => (b.lfs = { a: 1 }))).toMatch(/lfs must be a list of LFs, not an object/);
  });

  it('enforces the size limits: code source, names, LF count, keywords, classes', () => {
    const long = 'x'.repeat(BUNDLE_LIMITS.codeChars + 1);
    const msg = errorOf((b) => (b.lfs[5].source = `// ${long}`));
    expect(msg).toMatch(/lfs\[5\]\.source \(LF "code"\) must be at most 100,000 characters long \(it has 100,004\)/);
    expectOneSentence(msg);
    expect(errorOf((b) => (b.lfs[0].name = 'n'.repeat(201)))).toMatch(/lfs\[0\]\.name must be at most 200 characters long \(it has 201\)/);
    expect(errorOf((b) => (b.project.name = 'p'.repeat(201)))).toMatch(/project\.name must be at most 200 characters long/);
    expect(errorOf((b) => (b.lfs[0].keywords = Array.from({ length: BUNDLE_LIMITS.keywords + 1 }, (_, i) => `k${i}`)))).toMatch(
      /lfs\[0\]\.keywords \(LF "kw"\) must have at most 10,000 entries \(it has 10,001\)/,
    );
    expect(errorOf((b) => (b.lfs[0].keywords = ['k'.repeat(1001)]))).toMatch(/lfs\[0\]\.keywords\[0\] .* at most 1,000 characters/);
    expect(
      errorOf(
        (b) =>
          (b.lfs = Array.from({ length: BUNDLE_LIMITS.lfs + 1 }, (_, i) => ({
            id: `i${i}`,
            name: `n${i}`,
            enabled: true,
            kind: 'code',
            source: 'null',
          }))),
      ),
    ).toMatch(/^this project file's lfs must have at most 5,000 entries \(it has 5,001\)/);
    expect(errorOf((b) => (b.dataset.classes = Array.from({ length: 128 }, (_, i) => `c${i}`)))).toMatch(
      /dataset\.classes must have at most 127 entries \(it has 128\)/,
    );
    expect(errorOf((b) => (b.dataset.classes = ['ham']))).toMatch(/dataset\.classes must have at least 2 entries \(it has 1\)/);
    expect(errorOf((b) => (b.dataset.classes = ['ham', 'ham']))).toMatch(/dataset\.classes must not name a class twice \("ham" does\)/);
    expect(errorOf((b) => (b.dataset.classes = ['ham', 2]))).toMatch(/dataset\.classes\[1\] must be text, not a whole number/);
  });

  it('checks the split sizes, gold pairs, model choices and data', () => {
    expect(errorOf((b) => (b.dataset.splitCounts.dev = -1))).toMatch(/dataset\.splitCounts\.dev must be at least 0, not -1;/);
    expect(errorOf((b) => (b.dataset.splitCounts.train = 1e9))).toMatch(
      /dataset\.splitCounts\.train must be at most 10,000,000, not 1000000000;/,
    );
    expect(errorOf((b) => (b.dataset.splitCounts.dev = 1.5))).toMatch(/dataset\.splitCounts\.dev must be a whole number, not a number/);
    expect(errorOf((b) => (b.gold.dev = [[0]]))).toMatch(/gold\.dev\[0\] must be a \[row, class\] pair of whole numbers/);
    expect(errorOf((b) => (b.gold.dev = [[0, 1.5]]))).toMatch(/gold\.dev\[0\] must be a \[row, class\] pair of whole numbers, not a list/);
    expect(errorOf((b) => (b.gold = 'all'))).toMatch(/gold must be an object, not text/);
    expect(errorOf((b) => delete b.model)).toMatch(/has no model, which must be an object/);
    expect(errorOf((b) => (b.model.labelModel = 3))).toMatch(/model\.labelModel must be text/);
    expect(errorOf((b) => (b.model.classBalance = 'skewed'))).toMatch(
      /model\.classBalance must be "dev", "uniform" or a list of numbers, one per class/,
    );
    expect(errorOf((b) => (b.model.classBalance = [1, 2, 3]))).toMatch(/model\.classBalance must have one number per class \(2\), not 3/);
    expect(errorOf((b) => (b.model.seed = 'one'))).toMatch(/model\.seed must be a whole number, not text/);
    expect(errorOf((b) => (b.model.classifier = 'fast'))).toMatch(/model\.classifier must be an object, not text/);
    expect(errorOf((b) => (b.data.rows[2] = 'a row'))).toMatch(/data\.rows\[2\] must be a row object/);
    expect(errorOf((b) => (b.data.split[1] = 'valid'))).toMatch(/data\.split\[1\] must be one of "train", "dev", "test", not "valid"/);
    expect(errorOf((b) => b.data.split.pop())).toMatch(/data\.split must name one split per data row \(6 rows\), not 5/);
    expect(errorOf((b) => (b.data.split = ['dev', 'train', 'dev', 'train', 'test', 'train']))).toMatch(
      /data\.split must put 4 rows in train as dataset\.splitCounts\.train says, not 3/,
    );
  });

  it('drops keys the app does not know, so only understood fields are stored', () => {
    const b = valid() as any;
    b.lfs[0].onload = 'alert(1)';
    b.project.extra = 1;
    const back = readBundle(JSON.stringify(b));
    expect(back.lfs[0]).not.toHaveProperty('onload');
    expect(back.project).toEqual({ name: 'sms' });
  });

  it('formats paths as a user would type them', () => {
    expect(formatPath(['lfs', 2, 'keywords'])).toBe('lfs[2].keywords');
    expect(formatPath(['gold', 'dev', 0, 1])).toBe('gold.dev[0][1]');
    expect(formatPath(['settings', 'odd key'])).toBe('settings["odd key"]');
    expect(formatPath([])).toBe('the file');
  });

  it('never throws anything but one ShoalError sentence for mutated bundles (seeded)', () => {
    // Mutations: delete a field, replace it with any JSON value, or wrap/stringify it; at any depth.
    const base = valid();
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, p: (string | number)[]): void => {
      if (p.length) paths.push(p);
      if (Array.isArray(v)) v.slice(0, 3).forEach((x, i) => walk(x, [...p, i]));
      else if (v && typeof v === 'object') for (const k of Object.keys(v)) walk((v as Json)[k], [...p, k]);
    };
    walk(base, []);
    const mutation = fc.tuple(
      fc.constantFrom(...paths),
      fc.oneof(
        fc.constant({ op: 'delete' as const }),
        fc.record({ op: fc.constant('set' as const), value: fc.jsonValue({ maxDepth: 2 }) }),
        fc.constant({ op: 'wrap' as const }),
        fc.constant({ op: 'stringify' as const }),
      ),
    );
    let rejected = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (muts) => {
        const b = structuredClone(base);
        for (const [path, m] of muts) {
          let parent: any = b;
          for (const k of path.slice(0, -1)) parent = parent?.[k];
          if (parent === null || typeof parent !== 'object') continue;
          const key = path[path.length - 1];
          if (m.op === 'delete') delete parent[key];
          else if (m.op === 'set') parent[key] = m.value;
          else if (m.op === 'wrap') parent[key] = [parent[key]];
          else parent[key] = JSON.stringify(parent[key]) ?? 'undefined';
        }
        let out: ProjectBundle;
        try {
          out = readBundle(JSON.stringify(b));
        } catch (e) {
          expect(e).toBeInstanceOf(ShoalError);
          expectOneSentence((e as Error).message);
          rejected++;
          return;
        }
        // Accepted: it must read again unchanged (what would be stored is itself a valid bundle).
        expect(readBundle(JSON.stringify(out))).toEqual(out);
      }),
      { seed: 12, numRuns: 600 },
    );
    expect(rejected).toBeGreaterThan(300);
  });
});
