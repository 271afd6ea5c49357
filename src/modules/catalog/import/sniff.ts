import type { Readable } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import iconv from 'iconv-lite';
import type { CatalogFormat } from '../model.js';
import type { OpenStream } from './catalog-reader.js';
import { NOT_A_CATALOG, SNIFF_BYTES, unsupported } from './limits.js';

export type CsvEncoding = 'utf-8' | 'windows-1252' | 'iso-8859-1';

/** The first bytes of the file (up to `limit`), and whether they are the whole file. */
export interface Head {
  bytes: Buffer;
  complete: boolean;
}

/** Reads the start of a fresh stream and closes it. */
export async function readHead(open: OpenStream, limit = SNIFF_BYTES): Promise<Head> {
  const stream: Readable = await open();
  const chunks: Buffer[] = [];
  let size = 0;
  let complete = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) {
        complete = false;
        break;
      }
    }
  } finally {
    stream.destroy();
  }
  const bytes = Buffer.concat(chunks);
  return { bytes: complete ? bytes : bytes.subarray(0, limit), complete };
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Encoding of a CSV from its first bytes: a UTF-8 BOM → UTF-8; bytes that decode as UTF-8 → UTF-8 (a
 * sequence cut by the end of the sample is fine); otherwise Windows-1252 when a byte in 0x80–0x9F appears
 * (printable there: € ’ “ ” …, control codes in ISO-8859-1), else ISO-8859-1. The two single-byte encodings
 * agree on every other byte, so only that range decides.
 */
export function detectEncoding(head: Buffer): CsvEncoding {
  if (head.subarray(0, 3).equals(UTF8_BOM)) return 'utf-8';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return 'utf-8';
  } catch {
    for (const byte of head) if (byte >= 0x80 && byte <= 0x9f) return 'windows-1252';
    return 'iso-8859-1';
  }
}

export const decodeHead = (head: Buffer, encoding: CsvEncoding): string => iconv.decode(head, encoding);

const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** Count of each candidate delimiter per record (outside quotes) in the first `maxRecords` records. */
function countsPerRecord(text: string, complete: boolean, maxRecords: number): Map<Delimiter, number>[] {
  const records: Map<Delimiter, number>[] = [];
  let counts = new Map<Delimiter, number>();
  let quoted = false;
  let fieldStart = true;
  for (let i = 0; i < text.length && records.length < maxRecords; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') i++;
        else quoted = false;
      }
      continue;
    }
    if (c === '"' && fieldStart) {
      quoted = true;
      fieldStart = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      if (counts.size > 0 || records.length > 0) records.push(counts);
      counts = new Map();
      fieldStart = true;
    } else if ((DELIMITERS as readonly string[]).includes(c ?? '')) {
      const d = c as Delimiter;
      counts.set(d, (counts.get(d) ?? 0) + 1);
      fieldStart = true;
    } else {
      fieldStart = false;
    }
  }
  // the last record of a sample cut mid-file is partial: its counts would mislead
  if (complete && counts.size > 0 && records.length < maxRecords) records.push(counts);
  return records;
}

/**
 * The delimiter among `,` `;` TAB `|`: it must appear in the header line (outside quotes); among those, the
 * one whose count in the following records most often equals its count in the header wins, then the one
 * with more columns, then the order above. A file whose header has none of them is a one-column `,` file.
 */
export function detectDelimiter(text: string, complete: boolean): Delimiter {
  const records = countsPerRecord(text, complete, 50);
  const header = records[0];
  if (!header) return ',';
  let best: { d: Delimiter; agreement: number; columns: number } | null = null;
  for (const d of DELIMITERS) {
    const columns = header.get(d) ?? 0;
    if (columns === 0) continue;
    const rest = records.slice(1);
    const agreement = rest.length ? rest.filter((r) => (r.get(d) ?? 0) === columns).length / rest.length : 1;
    if (!best || agreement > best.agreement || (agreement === best.agreement && columns > best.columns)) {
      best = { d, agreement, columns };
    }
  }
  return best?.d ?? ',';
}

const EXTENSIONS: Record<string, CatalogFormat> = {
  csv: 'csv',
  txt: 'csv',
  tsv: 'csv',
  xlsx: 'xlsx',
  json: 'json',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
};

export const formatFromName = (fileName: string | undefined): CatalogFormat | null =>
  EXTENSIONS[(fileName ?? '').toLowerCase().split('.').pop() ?? ''] ?? null;

const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * What the bytes say the file is. Zip (or an XLSX) → `xlsx` (the zip inspection says more); any other
 * binary type file-type recognises, or a NUL byte, → UNSUPPORTED_TYPE whatever the name says; text
 * starting with `[` → `json`; `{` → `ndjson` when the first line is a whole JSON value and another follows
 * (or the name says so), else `json`; any other text → the name's format when it names a text format,
 * else `csv`.
 */
export async function sniffFormat(head: Head, fileName: string | undefined): Promise<CatalogFormat> {
  const byName = formatFromName(fileName);
  if (head.bytes.length === 0) throw unsupported('The file is empty');
  const b = head.bytes;
  // before file-type, which takes a UTF-16 BOM (FF FE) for an MPEG audio frame
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) {
    throw unsupported('UTF-16 text is not accepted: save the file as CSV UTF-8');
  }
  const type = await fileTypeFromBuffer(b);
  if (type) {
    if (type.mime === XLSX_MIME || type.mime === 'application/zip') return 'xlsx';
    if (type.mime === 'application/x-cfb') {
      throw unsupported('Old Excel files (.xls) are not accepted: save the sheet as .xlsx or CSV');
    }
    throw unsupported(`${NOT_A_CATALOG} (it is a ${type.ext.toUpperCase()} file)`);
  }
  if (head.bytes.includes(0)) throw unsupported(`${NOT_A_CATALOG} (it contains binary data)`);
  const text = head.bytes.toString('latin1').replace(/^\xef\xbb\xbf/, '');
  const first = /\S/.exec(text)?.[0];
  if (first === '[') return 'json';
  if (first === '{') {
    if (byName === 'json' || byName === 'ndjson') return byName;
    return looksLikeNdjson(head.bytes.toString('utf8').replace(/^\uFEFF/, '')) ? 'ndjson' : 'json';
  }
  if (byName === 'xlsx') throw unsupported('The file is named .xlsx but is not an Excel workbook');
  if (byName === 'json' || byName === 'ndjson') throw unreadableJson(byName);
  return 'csv';
}

const unreadableJson = (format: CatalogFormat) =>
  unsupported(
    format === 'json'
      ? 'The file is named .json but does not start with [ or {'
      : 'The file is named .ndjson but its first line is not a JSON object',
  );

function looksLikeNdjson(text: string): boolean {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) return false;
  try {
    JSON.parse(lines[0] ?? '');
    return lines[1]?.trim().startsWith('{') ?? false;
  } catch {
    return false;
  }
}
