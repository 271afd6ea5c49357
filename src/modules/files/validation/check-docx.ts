import yauzl from 'yauzl';
import { AppError, ErrorCode } from '../../../shared/errors.js';

const refuse = (why: string) => new AppError(ErrorCode.UNSUPPORTED_TYPE, why, { field: 'key' });

/** Bounds against zip bombs: what a real CV never needs. */
const MAX_ENTRIES = 2_000;
const MAX_UNCOMPRESSED = 100 * 1024 * 1024;
const MAX_RATIO = 100;

interface ZipEntry {
  fileName: string;
  compressedSize: number;
  uncompressedSize: number;
}

function entriesOf(bytes: Buffer): Promise<ZipEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(refuse('The CV is not a valid Word document (broken archive)'));
      const entries: ZipEntry[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        entries.push({ fileName: e.fileName, compressedSize: e.compressedSize, uncompressedSize: e.uncompressedSize });
        if (entries.length > MAX_ENTRIES) {
          zip.close();
          reject(refuse('The Word document has too many parts'));
          return;
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', () => reject(refuse('The CV is not a valid Word document (broken archive)')));
      zip.readEntry();
    });
  });
}

/**
 * A DOCX is a zip of XML parts: it must have the Word document parts, no macros (that would be a .docm
 * in disguise), and sizes that could not hide a zip bomb. Only the central directory is read: nothing is
 * decompressed here.
 */
export async function checkDocx(bytes: Buffer): Promise<void> {
  const entries = await entriesOf(bytes);
  const names = new Set(entries.map((e) => e.fileName));
  if (!names.has('[Content_Types].xml') || !names.has('word/document.xml')) {
    throw refuse('The CV is not a Word document (.docx)');
  }
  if (entries.some((e) => /vbaProject\.bin$|\.bin$/i.test(e.fileName) && /vba|macro/i.test(e.fileName))) {
    throw refuse('Word documents with macros are not accepted');
  }
  const total = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  const compressed = entries.reduce((sum, e) => sum + e.compressedSize, 0);
  if (total > MAX_UNCOMPRESSED || (compressed > 0 && total / compressed > MAX_RATIO)) {
    throw new AppError(ErrorCode.TOO_LARGE, 'The Word document expands to far more than its size (a zip bomb?)', {
      field: 'key',
    });
  }
}
