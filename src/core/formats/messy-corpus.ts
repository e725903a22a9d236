/**
 * A seeded generator of messy delimited files, for comparing our reader with a reference
 * reader (corpus.test.ts): RFC 4180 CSV with quotes, embedded line breaks and tabs, stray and
 * unbalanced quotes; IANA TSV whose fields are full of quotes; quoted TSV as pandas writes it;
 * BOMs, CRLF / CR / mixed line ends, NUL characters, very long fields, Windows-1252, UTF-16
 * and files mixing UTF-8 with Windows-1252 bytes. Test-only: nothing in the app imports it.
 */
import { mulberry32, type Rng } from '../rng.ts';

export type CorpusKind = 'csv' | 'csv-broken' | 'tsv' | 'tsv-quoted';
export type CorpusEncoding = 'utf-8' | 'utf-8-bom' | 'windows-1252' | 'utf-16le-bom' | 'mixed';

export interface CorpusFile {
  name: string;
  kind: CorpusKind;
  encoding: CorpusEncoding;
  /** The TextDecoder encoding a correct detection picks. */
  decodeAs: 'utf-8' | 'windows-1252' | 'utf-16le';
  delimiter: string;
  /** Whether quotes quote (CSV, quoted TSV) or are ordinary characters (IANA TSV). */
  quoted: boolean;
  bytes: Uint8Array;
}

/** Characters Windows-1252 encodes above 0x7F outside Latin-1 (WHATWG's table). */
const CP1252_HIGH: Record<string, number> = {
  '€': 0x80,
  '‚': 0x82,
  '„': 0x84,
  '…': 0x85,
  '‘': 0x91,
  '’': 0x92,
  '“': 0x93,
  '”': 0x94,
  '–': 0x96,
  '—': 0x97,
  '™': 0x99,
  œ: 0x9c,
};

export function encodeCp1252(s: string): Uint8Array<ArrayBuffer> {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80 || (c >= 0xa0 && c <= 0xff)) out.push(c);
    else if (CP1252_HIGH[ch] !== undefined) out.push(CP1252_HIGH[ch]);
    else throw new Error(`not in windows-1252: ${ch}`);
  }
  return new Uint8Array(out);
}

function encodeUtf16le(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[2 * i] = c & 0xff;
    out[2 * i + 1] = c >> 8;
  }
  return out;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

/** Text pieces a field is built from; `wide` adds characters outside Windows-1252. */
function piece(rng: Rng, wide: boolean, allowBreaks: boolean, allowTabs: boolean): string {
  const r = rng();
  if (r < 0.35) return pick(rng, ['free', 'call', 'now', 'Ok lar', 'win', 'txt', 'u', 'lunch', '2', '100']);
  if (r < 0.45) return ' ';
  if (r < 0.55) return pick(rng, ['"', '""', '"quoted"', "'", '"hi" he said']);
  if (r < 0.62) return pick(rng, [',', ';', '|', ', ']);
  if (r < 0.68 && allowTabs) return '\t';
  if (r < 0.74 && allowBreaks) return pick(rng, ['\n', '\r\n', '\n\n', '\r']);
  if (r < 0.84) return pick(rng, wide ? ['é', 'ü', '€', '“x”', '😀', 'ß', '中文', 'ñ'] : ['é', 'ü', '€', '“x”', 'ß', 'ñ', '’']);
  if (r < 0.845) return '\u0000';
  if (r < 0.847) return 'L'.repeat(20_000 + Math.floor(rng() * 150_000)); // longer than a read slice
  return pick(rng, ['a', 'b', 'xyz', '0', '-1', 'ham', 'spam', 'SPAM']);
}

function field(rng: Rng, wide: boolean, allowBreaks: boolean, allowTabs: boolean): string {
  let s = '';
  const n = Math.floor(rng() * 5);
  for (let i = 0; i < n; i++) s += piece(rng, wide, allowBreaks, allowTabs);
  return s;
}

/** RFC 4180 writing: quote when needed (and sometimes when not), double inner quotes. */
function csvField(rng: Rng, v: string, delimiter: string): string {
  const needs = v.includes(delimiter) || v.includes('"') || v.includes('\n') || v.includes('\r');
  return needs || rng() < 0.2 ? `"${v.replace(/"/g, '""')}"` : v;
}

function lineEnd(rng: Rng, style: string): string {
  if (style === 'mixed') return pick(rng, ['\n', '\r\n', '\r']);
  return style;
}

/** Break a well-formed file in a few places: a stray quote at a field start, text after a closing quote, a lost field. */
function breakLines(rng: Rng, text: string): string {
  const lines = text.split(/(?<=\n)/);
  const hits = 1 + Math.floor(rng() * 3);
  for (let h = 0; h < hits; h++) {
    const i = 1 + Math.floor(rng() * Math.max(1, lines.length - 1));
    if (i >= lines.length) continue;
    const l = lines[i];
    const at = Math.floor(rng() * l.length);
    const op = rng();
    if (op < 0.4) lines[i] = `${l.slice(0, at)}"${l.slice(at)}`;
    else if (op < 0.7) lines[i] = `"${l}`;
    else lines[i] = l.replace(/,[^,]*/, '');
  }
  return lines.join('');
}

export function generateCorpus(seed: number, count: number): CorpusFile[] {
  const rng = mulberry32(seed);
  const files: CorpusFile[] = [];
  const kinds: CorpusKind[] = ['csv', 'csv-broken', 'tsv', 'tsv-quoted'];
  const encodings: CorpusEncoding[] = ['utf-8', 'utf-8-bom', 'windows-1252', 'utf-16le-bom', 'mixed'];
  for (let f = 0; f < count; f++) {
    const kind = kinds[f % kinds.length];
    const encoding = encodings[Math.floor(f / kinds.length) % encodings.length];
    const wide = encoding === 'utf-8' || encoding === 'utf-8-bom' || encoding === 'utf-16le-bom';
    const cols = 1 + Math.floor(rng() * 4);
    const nRows = 3 + Math.floor(rng() * 40);
    const style = pick(rng, ['\n', '\r\n', '\r\n', 'mixed', '\r']);
    const isTsv = kind === 'tsv' || kind === 'tsv-quoted';
    const delimiter = isTsv ? '\t' : pick(rng, [',', ',', ';']);
    const header = Array.from({ length: cols }, (_, j) => `c${j}`);
    let text = '';
    if (kind === 'tsv') {
      // IANA: no tabs or line breaks in fields; quotes anywhere, including a field that starts
      // quoted and goes on (which quoted reading cannot take, as in the SMS corpus).
      text += header.join('\t') + lineEnd(rng, style);
      for (let r = 0; r < nRows; r++) {
        const row = header.map(() => field(rng, wide, false, false));
        if (r === 0) row[cols - 1] = '"Hello" he said';
        // A few rows with a field too many or too few, which must be skipped one by one.
        if (rng() < 0.04) row.push('extra');
        text += row.join('\t') + lineEnd(rng, style);
      }
    } else {
      text += header.map((h) => (kind === 'tsv-quoted' ? `"${h}"` : h)).join(delimiter) + lineEnd(rng, style);
      for (let r = 0; r < nRows; r++) {
        const row = header.map(() => field(rng, wide, true, true));
        // One column files: an empty unquoted field would be a blank line, which is no row.
        text += row.map((v) => (cols === 1 && v === '' ? '""' : csvField(rng, v, delimiter))).join(delimiter) + lineEnd(rng, style);
      }
      if (kind === 'csv-broken') text = breakLines(rng, text);
    }
    if (rng() < 0.3) text = text.replace(/(\r\n|\r|\n)$/, ''); // no final line break
    let bytes: Uint8Array;
    let decodeAs: CorpusFile['decodeAs'] = 'utf-8';
    switch (encoding) {
      case 'utf-8':
        bytes = new TextEncoder().encode(text);
        break;
      case 'utf-8-bom':
        bytes = new TextEncoder().encode('\ufeff' + text);
        break;
      case 'windows-1252':
        // At least one byte that is not UTF-8, so detection has something to go on.
        bytes = encodeCp1252(text.replace('c0', 'cé0'));
        decodeAs = 'windows-1252';
        break;
      case 'utf-16le-bom':
        bytes = new Uint8Array([0xff, 0xfe, ...encodeUtf16le(text)]);
        decodeAs = 'utf-16le';
        break;
      case 'mixed': {
        // UTF-8 text with one Windows-1252 line in it (a file pasted together from two sources).
        const cut = text.search(/(\r\n|\r|\n)/);
        const head = encodeCp1252(text.slice(0, cut).replace(/c0/, 'cé0'));
        bytes = new Uint8Array([...head, ...new TextEncoder().encode(text.slice(cut))]);
        decodeAs = 'windows-1252';
        break;
      }
    }
    files.push({
      name: `messy-${f}-${kind}-${encoding}.${isTsv ? 'tsv' : 'csv'}`,
      kind,
      encoding,
      decodeAs,
      delimiter,
      quoted: kind !== 'tsv',
      bytes,
    });
  }
  return files;
}
