import { AppError, ErrorCode } from '../../../shared/errors.js';

const refuse = (why: string) => new AppError(ErrorCode.UNSUPPORTED_TYPE, why, { field: 'key' });

/**
 * A CV PDF must be a PDF from its first byte to its last: `%PDF-` at offset 0 and nothing but whitespace
 * after the final `%%EOF` (data appended there is how PDF/ZIP and PDF/HTML polyglots are built). Active
 * content (JavaScript, launch actions) is refused: the team opens these files.
 * Limitation: a scan of the raw bytes does not see names hidden inside compressed object streams.
 */
export function checkPdf(bytes: Buffer): void {
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') throw refuse('The CV is not a PDF file');
  const tail = bytes.subarray(Math.max(0, bytes.length - 2048)).toString('latin1');
  const eof = tail.lastIndexOf('%%EOF');
  if (eof < 0) throw refuse('The PDF is truncated (no end-of-file marker)');
  if (tail.slice(eof + 5).trim() !== '') throw refuse('The PDF has data appended after its end: it may be more than a PDF');
  const text = bytes.toString('latin1');
  for (const [pattern, what] of [
    [/\/JavaScript\b|\/JS\b/, 'JavaScript'],
    [/\/Launch\b/, 'launch actions'],
  ] as const) {
    if (pattern.test(text)) throw refuse(`PDFs with ${what} are not accepted`);
  }
}
