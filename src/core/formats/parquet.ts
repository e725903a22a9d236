/**
 * Parquet reader on hyparquet, one row group at a time, so memory stays bounded by the
 * largest row group rather than the file. hyparquet reads byte ranges from an AsyncBuffer,
 * which we back with `Blob.slice` (a File is never loaded whole).
 *
 * Values: INT64 → number when safe, else its decimal text; dates → ISO text; nested lists and
 * structs → JSON text. Only SNAPPY and uncompressed files are readable without extra codecs
 * (hyparquet's defaults); other codecs are reported as such.
 */
import { errorText } from '../errors.ts';
import { parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { Emitter, guard, success } from './stream.ts';
import { DEFAULTS, toCell, type BatchSink, type ParseOptions, type ParseResult, type Row } from './types.ts';

function blobBuffer(blob: Blob): AsyncBuffer {
  return {
    byteLength: blob.size,
    slice: (start: number, end?: number) => blob.slice(start, end ?? blob.size).arrayBuffer(),
  };
}

function reasonOf(e: unknown): string {
  return errorText(e);
}

export async function parseParquet(blob: Blob, opts: ParseOptions, sink: BatchSink): Promise<ParseResult> {
  const em: Emitter = new Emitter(opts, sink, blob.size);
  const maxCols = opts.maxColumns ?? DEFAULTS.maxColumns;
  return guard(em, async () => {
    if (blob.size === 0) em.fail({ code: 'empty', reason: 'is empty' });
    const file = blobBuffer(blob);
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(file);
    } catch (e) {
      em.fail({ code: 'malformed', reason: `is not a readable Parquet file (${reasonOf(e)})` });
    }
    const columns = parquetSchema(metadata).children.map((c) => c.element.name);
    if (columns.length > maxCols) {
      em.fail({
        code: 'too-many-columns',
        row: 0,
        reason: `has ${columns.length} columns, more than the ${maxCols} Shoal accepts; keep only the columns you need`,
      });
    }
    em.columns = columns;
    const total = Number(metadata.num_rows);
    let start = 0;
    let rowNo = 0;
    for (const group of metadata.row_groups) {
      em.checkAbort();
      const end = start + Number(group.num_rows);
      let objects: Record<string, unknown>[];
      try {
        objects = await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: end });
      } catch (e) {
        const msg = reasonOf(e);
        const codec = /compression|codec|decompress/i.test(msg);
        em.fail({
          code: codec ? 'unsupported' : 'malformed',
          row: start + 1,
          reason: codec
            ? `uses a compression Shoal cannot read in the browser (${msg}); re-write it with SNAPPY or no compression`
            : `rows ${start + 1}–${end} could not be decoded (${msg})`,
        });
      }
      for (const o of objects) {
        const row: Row = {};
        for (const c of columns) row[c] = toCell(o[c]);
        em.push(row, ++rowNo);
      }
      start = end;
      em.setBytes(total > 0 ? Math.round((blob.size * start) / total) : blob.size);
      await em.flush();
    }
    await em.flush(true);
    if (em.rowsOut === 0) em.fail({ code: 'empty', reason: 'has no rows' });
    return success(em, { format: 'parquet' });
  });
}
