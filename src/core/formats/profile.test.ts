import { describe, expect, it } from 'vitest';
import { encodeCp1252 } from './messy-corpus.ts';
import { previewTable } from './parse.ts';
import { labelVariantGroups, profileTable } from './profile.ts';
import { issueMessage } from './types.ts';

describe('profileTable (the whole-file check behind the import preview)', () => {
  it('counts records, lists skipped rows by line and refuses past 1%', async () => {
    const good = Array.from({ length: 300 }, (_, i) => `${i},"text ${i}",${i % 2 ? 'spam' : 'ham'}`);
    good[99] = '99,"text "99",ham'; // text after a closing quote
    good[199] = '199,"x" y,ham';
    good[299] = '299,"never closed,ham';
    const p = await profileTable(new Blob([`id,text,label\n${good.join('\n')}\n`]), { fileName: 'p.csv' }, { idField: 'id' });
    expect(p).toMatchObject({
      records: 300,
      rows: 297,
      skippedCount: 3,
      duplicateCount: 0,
      encoding: 'utf-8',
      quoted: true,
      delimiter: ',',
    });
    expect(p.skipped.map(issueMessage)).toEqual([
      'p.csv, row 100 (line 101): has text after the closing quote of a quoted field (a quote inside a quoted field must be doubled: "")',
      'p.csv, row 200 (line 201): has text after the closing quote of a quoted field (a quote inside a quoted field must be doubled: "")',
      'p.csv, row 300 (line 301): has a quoted field opened on line 301 that is never closed (a quote inside a quoted field must be doubled: "")',
    ]);
    expect(p.refusal).toBeUndefined();
    const small = await profileTable(new Blob(['text,label\n"a",ham\n"c",ham\n"b,spam\n']), { fileName: 's.csv' });
    expect(small.refusal && issueMessage(small.refusal)).toMatch(
      /^s\.csv, row 3 \(line 4\): 1 of 3 rows \(33%\) could not be read.*line 4, which has a quoted field opened on line 4 that is never closed/,
    );
  });

  it('tallies short-valued columns and finds repeated ids', async () => {
    const text = 'id,text,label\n1,a,spam\n2,b,SPAM\n1,c, spam \n3,d,ham\n2,e,Ham\n';
    const p = await profileTable(new Blob([text]), { fileName: 'v.csv' }, { idField: 'id' });
    expect(p.values.label).toEqual([
      { value: 'spam', count: 1 },
      { value: 'SPAM', count: 1 },
      { value: ' spam ', count: 1 },
      { value: 'ham', count: 1 },
      { value: 'Ham', count: 1 },
    ]);
    expect(labelVariantGroups(p.values.label).map((g) => [g.merged, g.spellings.map((s) => s.value)])).toEqual([
      ['spam', ['spam', 'SPAM', ' spam ']],
      ['ham', ['ham', 'Ham']],
    ]);
    expect(
      labelVariantGroups([
        { value: 'a', count: 3 },
        { value: 'b', count: 1 },
      ]),
    ).toEqual([]);
    expect(p.duplicateCount).toBe(2);
    expect(p.duplicates).toEqual([
      { id: '1', line: 4, firstLine: 2 },
      { id: '2', line: 6, firstLine: 3 },
    ]);
    const many = await profileTable(new Blob(['n\n' + Array.from({ length: 100 }, (_, i) => i).join('\n')]), { fileName: 'n.csv' });
    expect(many.values.n).toBeNull();
  });

  it('reports how the text was read: encoding guess, IANA or quoted TSV, also in the first-rows preview', async () => {
    const latin = encodeCp1252('text\tlabel\ncafé "best" ever\tham\n"quoted" then more\tspam\n');
    const pre = await previewTable(new Blob([latin]), { fileName: 'l.tsv' }, 1);
    expect(pre).toMatchObject({
      encoding: 'windows-1252',
      quoted: false,
      delimiter: '\t',
      rows: [{ text: 'café "best" ever', label: 'ham' }],
    });
    expect(pre.encodingReason).toMatch(/not valid UTF-8/);
    const quoted = await profileTable(new Blob(['"text"\t"label"\n"a\tb"\tham\n"say ""hi"""\tspam\n']), { fileName: 'q.tsv' });
    expect(quoted).toMatchObject({ quoted: true, rows: 2, skippedCount: 0 });
    expect(quoted.quotedReason).toMatch(/doubled quotes/);
    const asText = await previewTable(new Blob(['"text"\t"label"\n"a\tb"\tham\n']), {
      fileName: 'q.tsv',
      quoted: false,
      skipBadRows: true,
    });
    expect(asText.quoted).toBe(false);
    expect(asText.rows).toEqual([]);
    expect(asText.issues[0].reason).toMatch(/has 3 fields but the header has 2/);
    const wrong = await profileTable(new Blob([latin]), { fileName: 'l.tsv', encoding: 'utf-8' });
    expect(wrong.error && issueMessage(wrong.error)).toMatch(/^l\.tsv, near row 1: is not valid UTF-8 text/);
  });
});
