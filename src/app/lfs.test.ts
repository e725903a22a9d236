import { describe, expect, it } from 'vitest';
import { DEMO_LFS } from './demo.ts';
import { defToDraft, describeLf, draftToDef, newDraft, splitList } from './lfs.ts';

const classes = ['ham', 'spam'];

describe('LF editor form', () => {
  it('round-trips every demo LF through the form unchanged', () => {
    for (const def of DEMO_LFS) {
      const back = draftToDef(defToDraft(def, classes));
      expect('def' in back).toBe(true);
      if ('def' in back) expect(back.def).toEqual(JSON.parse(JSON.stringify(def)));
    }
  });

  it('builds each template kind from its own fields only', () => {
    const d = newDraft(classes);
    d.name = 'w';
    d.label = 'spam';
    d.keywords = 'free, click here,\nfree';
    d.pattern = 'ignored';
    expect(draftToDef(d)).toEqual({
      def: {
        id: d.id,
        name: 'w',
        enabled: true,
        kind: 'keyword',
        label: 'spam',
        field: undefined,
        keywords: ['free', 'click here'],
        mode: 'any',
        match: 'word',
        caseSensitive: false,
      },
    });
    d.kind = 'regex';
    d.pattern = '\\$\\d+';
    d.ignoreCase = false;
    d.multiline = true;
    expect(draftToDef(d)).toMatchObject({ def: { kind: 'regex', pattern: '\\$\\d+', flags: 'm' } });
    d.kind = 'field';
    d.compareField = 'stars';
    d.op = '>=';
    d.value = '4';
    expect(draftToDef(d)).toMatchObject({ def: { kind: 'field', field: 'stars', op: '>=', value: 4 } });
    d.op = 'contains';
    d.value = '4';
    expect(draftToDef(d)).toMatchObject({ def: { value: '4' } });
    d.kind = 'lookup';
    d.lookup = 'alice\n\n bob \n';
    expect(draftToDef(d)).toMatchObject({ def: { kind: 'lookup', values: ['alice', 'bob'], match: 'word' } });
    d.kind = 'length';
    d.length = 5;
    expect(draftToDef(d)).toMatchObject({ def: { kind: 'length', unit: 'words', op: '<', value: 5 } });
  });

  it('names what is missing instead of building a broken LF', () => {
    const d = newDraft(classes);
    expect(draftToDef(d)).toEqual({ problem: 'Type at least one keyword (comma-separated).' });
    d.kind = 'regex';
    d.pattern = '(';
    expect('problem' in draftToDef(d) && draftToDef(d)).toMatchObject({ problem: expect.stringMatching(/not a valid regular expression/) });
    d.kind = 'field';
    expect(draftToDef(d)).toEqual({ problem: 'Pick the field to compare.' });
    d.kind = 'code';
    d.source = '  ';
    expect(draftToDef(d)).toEqual({ problem: 'Write the function.' });
  });

  it('lists and describes', () => {
    expect(splitList('a, b\nc,, a', true)).toEqual(['a', 'b', 'c']);
    expect(splitList('a, b\nc', false)).toEqual(['a, b', 'c']);
    expect(describeLf(DEMO_LFS[0])).toMatch(/^body has any of: free, money/);
    expect(describeLf(DEMO_LFS[5])).toMatch(/^code: \(x\) => \{/);
  });
});
