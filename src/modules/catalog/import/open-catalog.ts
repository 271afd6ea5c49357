import type { CatalogFormat } from '../model.js';
import type { CatalogReader, OpenCatalogOptions, OpenStream } from './catalog-reader.js';
import { DEFAULT_MAX_BYTES, NOT_A_CATALOG, unsupported } from './limits.js';
import { csvReader } from './read-csv.js';
import { jsonReader } from './read-json.js';
import { ndjsonReader } from './read-ndjson.js';
import { openXlsx } from './read-xlsx.js';
import { decodeHead, detectDelimiter, detectEncoding, readHead, sniffFormat } from './sniff.js';

/**
 * Opens a catalog file (see `OpenCatalog`). The first 64 KB decide: the bytes' type (a declared `format`
 * must agree with them: an XLSX must be a zip, a text format must not be binary), then for CSV the
 * encoding and the delimiter. An XLSX is spooled and inspected here, so a zip bomb or an XML entity is
 * refused before any row. CSV, JSON and NDJSON are re-read from the start by `headers()`/`rows()`, which
 * enforce the size and row limits while streaming.
 */
export async function openCatalog(open: OpenStream, options: OpenCatalogOptions = {}): Promise<CatalogReader> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const head = await readHead(open);
  // a declared format speaks for itself: the name is only a hint when there is none
  const sniffed = await sniffFormat(head, options.format ? undefined : options.fileName);
  const format: CatalogFormat = options.format ?? sniffed;
  if ((format === 'xlsx') !== (sniffed === 'xlsx')) {
    throw unsupported(format === 'xlsx' ? 'The file is not an Excel workbook (.xlsx)' : NOT_A_CATALOG);
  }
  switch (format) {
    case 'csv': {
      const encoding = detectEncoding(head.bytes);
      const delimiter = detectDelimiter(decodeHead(head.bytes, encoding), head.complete);
      return csvReader(open, { encoding, delimiter, maxBytes });
    }
    case 'xlsx':
      return openXlsx(open, { sheet: options.sheet ?? null, maxBytes, tmpDir: options.tmpDir });
    case 'json':
      return jsonReader(open, maxBytes);
    case 'ndjson':
      return ndjsonReader(open, maxBytes);
  }
}
