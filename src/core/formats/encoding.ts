/**
 * Text encodings: which ones the import offers, and a guess for a file that names none.
 *
 * The guess looks at the first bytes only: a byte-order mark decides (UTF-8, UTF-16LE/BE);
 * without one, UTF-16 shows itself by zero bytes in every other position; bytes that are valid
 * UTF-8 are UTF-8; anything else is taken for Windows-1252, the usual encoding of "Latin-1"
 * spreadsheet exports (WHATWG maps the label iso-8859-1 to it as well, and it decodes every
 * byte, so nothing is lost). The user can always pick another encoding in the preview.
 */

/** Every encoding of the WHATWG Encoding Standard (the names `TextDecoder` accepts), minus "replacement". */
export const ENCODINGS: readonly { name: string; label: string }[] = [
  { name: 'utf-8', label: 'UTF-8' },
  { name: 'windows-1252', label: 'Windows-1252 (Western European, Latin-1)' },
  { name: 'iso-8859-15', label: 'ISO-8859-15 (Latin-9)' },
  { name: 'utf-16le', label: 'UTF-16LE' },
  { name: 'utf-16be', label: 'UTF-16BE' },
  { name: 'windows-1250', label: 'Windows-1250 (Central European)' },
  { name: 'windows-1251', label: 'Windows-1251 (Cyrillic)' },
  { name: 'windows-1253', label: 'Windows-1253 (Greek)' },
  { name: 'windows-1254', label: 'Windows-1254 (Turkish)' },
  { name: 'windows-1255', label: 'Windows-1255 (Hebrew)' },
  { name: 'windows-1256', label: 'Windows-1256 (Arabic)' },
  { name: 'windows-1257', label: 'Windows-1257 (Baltic)' },
  { name: 'windows-1258', label: 'Windows-1258 (Vietnamese)' },
  { name: 'windows-874', label: 'Windows-874 (Thai)' },
  { name: 'iso-8859-2', label: 'ISO-8859-2 (Latin-2)' },
  { name: 'iso-8859-3', label: 'ISO-8859-3 (Latin-3)' },
  { name: 'iso-8859-4', label: 'ISO-8859-4 (Latin-4)' },
  { name: 'iso-8859-5', label: 'ISO-8859-5 (Cyrillic)' },
  { name: 'iso-8859-6', label: 'ISO-8859-6 (Arabic)' },
  { name: 'iso-8859-7', label: 'ISO-8859-7 (Greek)' },
  { name: 'iso-8859-8', label: 'ISO-8859-8 (Hebrew, visual)' },
  { name: 'iso-8859-8-i', label: 'ISO-8859-8-I (Hebrew, logical)' },
  { name: 'iso-8859-10', label: 'ISO-8859-10 (Latin-6)' },
  { name: 'iso-8859-13', label: 'ISO-8859-13 (Latin-7)' },
  { name: 'iso-8859-14', label: 'ISO-8859-14 (Latin-8)' },
  { name: 'iso-8859-16', label: 'ISO-8859-16 (Latin-10)' },
  { name: 'ibm866', label: 'IBM866 (DOS Cyrillic)' },
  { name: 'koi8-r', label: 'KOI8-R' },
  { name: 'koi8-u', label: 'KOI8-U' },
  { name: 'macintosh', label: 'Macintosh (Mac Roman)' },
  { name: 'x-mac-cyrillic', label: 'Mac Cyrillic' },
  { name: 'gbk', label: 'GBK (Simplified Chinese)' },
  { name: 'gb18030', label: 'GB18030 (Chinese)' },
  { name: 'big5', label: 'Big5 (Traditional Chinese)' },
  { name: 'euc-jp', label: 'EUC-JP' },
  { name: 'iso-2022-jp', label: 'ISO-2022-JP' },
  { name: 'shift_jis', label: 'Shift_JIS' },
  { name: 'euc-kr', label: 'EUC-KR' },
  { name: 'x-user-defined', label: 'x-user-defined (bytes as-is)' },
];

/** The encodings this runtime's `TextDecoder` supports, in `ENCODINGS` order. */
export function supportedEncodings(): { name: string; label: string }[] {
  return ENCODINGS.filter((e) => {
    try {
      new TextDecoder(e.name);
      return true;
    } catch {
      return false;
    }
  });
}

/** A readable name for a TextDecoder encoding name ("utf-8" → "UTF-8"). */
export function describeEncoding(name: string): string {
  return ENCODINGS.find((e) => e.name === name)?.label.replace(/ \(.*\)$/, '') ?? name;
}

/** Index of the first byte that breaks UTF-8, or -1 (a sequence cut at the end counts as fine). */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) ((need = 1), (min = 0x80));
    else if (c >= 0xe0 && c <= 0xef) ((need = 2), (min = 0x800));
    else if (c >= 0xf0 && c <= 0xf4) ((need = 3), (min = 0x10000));
    else return i;
    let cp = c & (0xff >> (need + 2));
    for (let t = 1; t <= need; t++) {
      if (i + t >= n) return -1; // truncated at the slice end: the next slice completes it
      const d = b[i + t];
      if ((d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

export interface EncodingGuess {
  /** A TextDecoder encoding name. */
  encoding: string;
  /** Why, in a few words for the preview: "a UTF-8 byte-order mark". */
  reason: string;
}

/** Guess the encoding of a file from its first bytes; `complete` when `head` is the whole file. */
export function detectEncoding(head: Uint8Array, complete: boolean): EncodingGuess {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf)
    return { encoding: 'utf-8', reason: 'a UTF-8 byte-order mark' };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', reason: 'a UTF-16LE byte-order mark' };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', reason: 'a UTF-16BE byte-order mark' };
  const probe = Math.min(head.length, 4096) & ~1;
  if (probe >= 16) {
    let evenZero = 0;
    let oddZero = 0;
    for (let i = 0; i < probe; i += 2) {
      if (head[i] === 0) evenZero++;
      if (head[i + 1] === 0) oddZero++;
    }
    const pairs = probe / 2;
    if (oddZero > 0.3 * pairs && evenZero < 0.05 * pairs)
      return { encoding: 'utf-16le', reason: 'every other byte is zero (UTF-16LE without a byte-order mark)' };
    if (evenZero > 0.3 * pairs && oddZero < 0.05 * pairs)
      return { encoding: 'utf-16be', reason: 'every other byte is zero (UTF-16BE without a byte-order mark)' };
  }
  let bad = firstInvalidUtf8(head);
  if (bad === -1 && complete) {
    // A multi-byte sequence cut by the end of the file is invalid too.
    let k = head.length - 1;
    while (k >= 0 && k > head.length - 4 && (head[k] & 0xc0) === 0x80) k--;
    if (k >= 0 && head[k] >= 0xc0) {
      const need = head[k] >= 0xf0 ? 3 : head[k] >= 0xe0 ? 2 : 1;
      if (head.length - 1 - k < need) bad = k;
    }
  }
  if (bad === -1) {
    const ascii = head.every((b) => b < 0x80);
    return { encoding: 'utf-8', reason: ascii ? 'only ASCII characters at the start' : 'valid UTF-8' };
  }
  const hex = head[bad].toString(16).toUpperCase().padStart(2, '0');
  return { encoding: 'windows-1252', reason: `not valid UTF-8 (byte 0x${hex} at offset ${bad}), so taken for Windows-1252` };
}
