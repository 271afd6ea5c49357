import { AppError, ErrorCode } from '../../../shared/errors.js';
import { checkDocx } from './check-docx.js';
import { checkPdf } from './check-pdf.js';
import { DOCX, PDF, RULES, type FileKind } from './file-rules.js';
import { processPhoto, type ProcessedPhoto } from './process-photo.js';
import { endsCleanly, sniffType } from './sniff.js';

export type InspectedFile =
  | { kind: 'PHOTO'; contentType: string; size: number; photo: ProcessedPhoto }
  | { kind: 'CV'; contentType: string; size: number; bytes: Buffer };

const unsupported = (message: string) => new AppError(ErrorCode.UNSUPPORTED_TYPE, message, { field: 'key' });
const LABEL: Record<string, string> = {
  'image/jpeg': 'a JPEG image',
  'image/png': 'a PNG image',
  'image/webp': 'a WebP image',
  [PDF]: 'a PDF',
  [DOCX]: 'a Word document',
  'application/zip': 'a zip archive',
};
const describe = (type: string | null) => (type ? (LABEL[type] ?? type) : 'not a file type we recognise');

/**
 * Decides from the bytes alone whether an upload is the kind of file it claims to be, and prepares
 * what will be stored. Throws UNSUPPORTED_TYPE or TOO_LARGE with a message a person can act on.
 */
export async function inspectUpload(kind: FileKind, declaredType: string, bytes: Buffer): Promise<InspectedFile> {
  const rules = RULES[kind];
  if (bytes.length > rules.maxBytes) {
    throw new AppError(ErrorCode.TOO_LARGE, `The file is ${bytes.length} bytes; at most ${rules.maxBytes} are accepted`, {
      field: 'key',
    });
  }
  if (bytes.length === 0) throw unsupported('The file is empty');
  let actual = await sniffType(bytes);
  // OOXML packages sniff as zip or as the specific Office type depending on the part order
  if (actual === 'application/zip' && declaredType === DOCX) actual = DOCX;
  if (!actual || !rules.contentTypes.includes(actual)) {
    throw unsupported(
      `The file is ${describe(actual)}; a ${kind === 'PHOTO' ? 'photo must be JPEG, PNG or WebP' : 'CV must be a PDF or a Word (.docx) document'}`,
    );
  }
  if (actual !== declaredType) throw unsupported(`The file is ${describe(actual)}, not ${describe(declaredType)} as declared`);
  if (kind === 'PHOTO') {
    if (!endsCleanly(bytes, actual)) throw unsupported('The image has extra data after its end: it may be more than an image');
    return { kind, contentType: actual, size: bytes.length, photo: await processPhoto(bytes, actual) };
  }
  if (actual === PDF) checkPdf(bytes);
  else await checkDocx(bytes);
  return { kind, contentType: actual, size: bytes.length, bytes };
}
