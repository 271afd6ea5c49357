import { open as openFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { AppError } from '../../../shared/errors.js';
import { megabytes, tooLarge, unsupported } from './limits.js';

/** Bounds against zip bombs: far above what a real 200 MB workbook needs. */
export const XLSX_LIMITS = {
  maxEntries: 10_000,
  /** Sum of the parts once decompressed. */
  maxTotalUncompressed: 2 * 1024 * 1024 * 1024,
  maxEntryUncompressed: 1024 * 1024 * 1024,
  /** exceljs keeps the shared strings in memory. */
  maxSharedStrings: 256 * 1024 * 1024,
  /** Decompressed / compressed, for parts over 1 MB decompressed (small parts have odd ratios). */
  maxRatio: 100,
  /** The XML prolog (before the root element) of any part. */
  maxPrologChars: 64 * 1024,
};

const broken = () => unsupported('The Excel file is damaged (broken zip archive)');
const bomb = (why: string) => tooLarge(`The Excel file expands to far more than its size (${why}): it looks like a zip bomb`);

interface Part {
  entry: yauzl.Entry;
  dataStart: number;
}

async function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) reject(broken());
      else resolve(zip);
    });
  });
}

async function listEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      entries.push(e);
      if (entries.length > XLSX_LIMITS.maxEntries) reject(bomb(`more than ${XLSX_LIMITS.maxEntries} parts`));
      else zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', () => reject(broken()));
    zip.readEntry();
  });
}

/** Offset of the central directory, from the end-of-central-directory record. */
async function centralDirectoryOffset(path: string): Promise<number> {
  const file = await openFile(path, 'r');
  try {
    const { size } = await file.stat();
    const length = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(length);
    await file.read(tail, 0, length, size - length);
    const at = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (at < 0 || at + 22 > length) throw broken();
    const offset = tail.readUInt32LE(at + 16);
    if (offset === 0xffffffff) throw unsupported('ZIP64 Excel files are not accepted');
    return offset;
  } finally {
    await file.close();
  }
}

/**
 * Parts must tile the file from byte 0 to the central directory. A part that only the local headers know
 * (hidden between listed parts or after the last one) would be read by exceljs, which streams the local
 * headers, yet escape every check here.
 */
async function checkContiguous(path: string, parts: Part[]): Promise<void> {
  const central = await centralDirectoryOffset(path);
  const file = await openFile(path, 'r');
  try {
    const sorted = [...parts].sort((a, b) => a.entry.relativeOffsetOfLocalHeader - b.entry.relativeOffsetOfLocalHeader);
    let expected = 0;
    for (const { entry, dataStart } of sorted) {
      if (entry.relativeOffsetOfLocalHeader !== expected) throw unsupported('The Excel file has hidden or overlapping parts');
      let end = dataStart + entry.compressedSize;
      if (entry.generalPurposeBitFlag & 0x8) {
        // data descriptor: optional signature, CRC, sizes
        const sig = Buffer.alloc(4);
        await file.read(sig, 0, 4, end);
        end += sig.readUInt32LE(0) === 0x08074b50 ? 16 : 12;
      }
      expected = end;
    }
    if (expected !== central) throw unsupported('The Excel file has hidden or overlapping parts');
  } finally {
    await file.close();
  }
}

const readStream = (zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> =>
  new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) reject(broken());
      else resolve(stream);
    });
  });

const isXml = (name: string) => /\.(xml|rels|vml)$/i.test(name);

/**
 * Reads a part to its end (yauzl stops it at its declared size, so the sizes checked above are the real
 * ones) and, for an XML part, refuses a DOCTYPE or ENTITY declaration in its prolog: entity expansion
 * ("billion laughs") and external entities have no place in a workbook.
 */
async function checkPart(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<void> {
  const stream = await readStream(zip, entry);
  const xml = isXml(entry.fileName);
  let prolog = '';
  let prologDone = !xml;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (prologDone) continue;
      prolog += chunk.toString('latin1');
      const root = /<[A-Za-z_]/.exec(prolog);
      const head = root ? prolog.slice(0, root.index) : prolog;
      if (/<!(DOCTYPE|ENTITY)/i.test(head)) {
        throw unsupported(`The Excel file declares XML entities or a DOCTYPE (${entry.fileName}), which is not accepted`);
      }
      if (root) prologDone = true;
      else if (prolog.length > XLSX_LIMITS.maxPrologChars) {
        throw unsupported(`The Excel file has an XML part with an unusually long prolog (${entry.fileName})`);
      }
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw broken();
  } finally {
    stream.destroy();
  }
}

/**
 * Judges a spooled XLSX before exceljs touches it: a zip (yauzl) whose parts tile the file, at most 10,000
 * parts, every size within bounds (total 2 GB, part 1 GB, shared strings 256 MB, ratio 100 for parts over
 * 1 MB), real sizes equal to the declared ones, an `xl/workbook.xml`, and no DOCTYPE/ENTITY in any XML
 * prolog. Refusals: TOO_LARGE for bombs, UNSUPPORTED_TYPE otherwise.
 */
export async function inspectXlsx(path: string): Promise<void> {
  const zip = await openZip(path);
  try {
    const entries = await listEntries(zip);
    const names = new Set(entries.map((e) => e.fileName));
    if (!names.has('xl/workbook.xml')) throw unsupported('The zip file is not an Excel workbook (.xlsx)');
    let total = 0;
    for (const e of entries) {
      total += e.uncompressedSize;
      if (e.isEncrypted()) throw unsupported('Password-protected Excel files are not accepted');
      if (e.uncompressedSize > XLSX_LIMITS.maxEntryUncompressed) bombOver(e, megabytes(e.uncompressedSize));
      if (e.fileName === 'xl/sharedStrings.xml' && e.uncompressedSize > XLSX_LIMITS.maxSharedStrings) {
        throw tooLarge(`The Excel file has more than ${megabytes(XLSX_LIMITS.maxSharedStrings)} of text`);
      }
      if (e.uncompressedSize > 1024 * 1024 && e.uncompressedSize > XLSX_LIMITS.maxRatio * Math.max(1, e.compressedSize)) {
        throw bomb(`${e.fileName} is compressed ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))} times`);
      }
    }
    if (total > XLSX_LIMITS.maxTotalUncompressed) throw bomb(`${megabytes(total)} once decompressed`);
    const parts: Part[] = [];
    for (const entry of entries) {
      const header = await zip.readLocalFileHeaderPromise(entry, { minimal: true }).catch(() => {
        throw broken();
      });
      parts.push({ entry, dataStart: header.fileDataStart });
    }
    await checkContiguous(path, parts);
    for (const entry of entries) if (!entry.fileName.endsWith('/')) await checkPart(zip, entry);
  } finally {
    zip.close();
  }
}

function bombOver(e: yauzl.Entry, size: string): never {
  throw bomb(`${e.fileName} is ${size}`);
}
