import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildRows,
  capText,
  decodeHeader,
  decodeQuotedPrintable,
  htmlToText,
  parseEmail,
  splitMessage,
  type CorpusEmail,
} from './build-demo.ts';

const mail = (headers: string, body: string) => `From someone@example.com  Thu Aug 22 13:17:22 2002\n${headers}\n\n${body}`;

describe('email parsing', () => {
  it('unfolds headers, skips the mbox envelope line and keeps the first Subject', () => {
    const m = splitMessage(mail('Subject: hello\n  world\nFrom: A <a@b.c>\nSubject: second', 'body'));
    expect(m.headers.get('subject')).toBe('hello world');
    expect(m.headers.get('from')).toBe('A <a@b.c>');
    expect(m.body).toBe('body');
  });

  it('decodes RFC 2047 words in Q and B encodings and joins adjacent words', () => {
    expect(decodeHeader('=?iso-8859-1?Q?Ch=E9il=ED_now?=')).toBe('Chéilí now');
    expect(decodeHeader('=?utf-8?B?w6l0w6k=?= =?utf-8?Q?_ok?=')).toBe('été ok');
    expect(decodeHeader('plain  text')).toBe('plain text');
  });

  it('decodes quoted-printable soft breaks and escapes', () => {
    expect(new TextDecoder().decode(decodeQuotedPrintable('a=3Db=\nc =C3=A9'))).toBe('a=bc é');
  });

  it('prefers text/plain in multipart/alternative and decodes its transfer encoding', () => {
    const body = [
      'preamble',
      '--XYZ',
      'Content-Type: text/html',
      '',
      '<p>HTML version</p>',
      '--XYZ',
      'Content-Type: text/plain; charset="iso-8859-1"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Caf=E9 plain version',
      '--XYZ--',
    ].join('\n');
    const e = parseEmail(mail('Subject: s\nContent-Type: multipart/alternative; boundary="XYZ"', body));
    expect(e.body).toBe('Café plain version');
  });

  it('falls back to stripped HTML, decodes base64 and drops scripts and styles', () => {
    const html =
      '<html><head><style>p{}</style></head><body><p>Buy&nbsp;now &amp; save</p><script>x()</script><br>Click <a href="u">here</a></body></html>';
    const body = [
      '--b',
      'Content-Type: text/html',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(html).toString('base64'),
      '--b--',
    ].join('\n');
    const e = parseEmail(mail('Content-Type: multipart/mixed; boundary=b', body));
    expect(e.body).toBe('Buy now & save\n\nClick here');
  });

  it('keeps the raw body when a spammer misquotes the boundary', () => {
    const e = parseEmail(mail('Content-Type: multipart/alternative; boundary="=A B"', '--= A B\n\nhello there'));
    expect(e.body).toContain('hello there');
  });

  it('treats HTML sent as text/plain as HTML', () => {
    expect(parseEmail(mail('Subject: x', '<html><body><font>Hi</font> &#65;&#x42;</body></html>')).body).toBe('Hi AB');
  });

  it('caps long bodies at a word boundary and marks the cut', () => {
    const long = 'word '.repeat(1000);
    const c = capText(long, 100);
    expect(c.length).toBeLessThanOrEqual(102);
    expect(c.endsWith(' …')).toBe(true);
    expect(capText('short', 100)).toBe('short');
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const e = parseEmail(s);
        expect(typeof e.body).toBe('string');
        expect(e.body.length).toBeLessThanOrEqual(2002);
        htmlToText(s);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});

describe('demo rows', () => {
  const emails: CorpusEmail[] = Array.from({ length: 400 }, (_, i) => {
    const group = i % 4 === 0 ? 'spam-1' : 'easy-ham-1';
    return {
      id: String(i).padStart(5, '0'),
      group,
      checksum: `c${i.toString(16).padStart(11, '0')}ffff`,
      text: mail(`Subject: mail ${i}`, `body of ${group === 'spam-1' ? 'an offer' : 'a note'} ${i}`),
    };
  });
  // Two exact duplicates of earlier mails, as the real corpus has across groups.
  emails.push({ ...emails[3], id: '99998', checksum: 'dddddddddddd' }, { ...emails[8], id: '99999', checksum: 'eeeeeeeeeeee' });

  it('drops duplicates, splits each class 10/10/80 and hides gold on train', () => {
    const { rows, duplicatesDropped, splits } = buildRows(emails, 1);
    expect(duplicatesDropped).toBe(2);
    expect(rows).toHaveLength(400);
    expect(splits).toEqual({
      train: { rows: 320, ham: 240, spam: 80 },
      dev: { rows: 40, ham: 30, spam: 10 },
      test: { rows: 40, ham: 30, spam: 10 },
    });
    for (const r of rows) {
      if (r.split === 'train') expect(r.label).toBeNull();
      else expect(r.label).toBe(r.body.includes('offer') ? 'spam' : 'ham');
      // The id must not reveal the source folder (that would leak the class).
      expect(r.id).not.toMatch(/ham|spam/);
    }
    expect(new Set(rows.map((r) => r.id)).size).toBe(400);
  });

  it('is deterministic for a seed, shuffled, and differs across seeds', () => {
    const a = buildRows(emails, 1).rows.map((r) => `${r.id}:${r.split}`);
    const b = buildRows(emails, 1).rows.map((r) => `${r.id}:${r.split}`);
    const c = buildRows(emails, 2).rows.map((r) => `${r.id}:${r.split}`);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    // Shuffled: the first 100 rows are not all from the first 100 mails.
    const firstIds = new Set(emails.slice(0, 100).map((e) => e.checksum.slice(0, 12)));
    expect(a.slice(0, 100).filter((x) => firstIds.has(x.split(':')[0])).length).toBeLessThan(60);
  });
});
