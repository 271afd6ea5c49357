import { fileTypeFromBuffer } from 'file-type';

/** The media type the bytes themselves announce (magic numbers), whatever the name or header said. */
export async function sniffType(bytes: Buffer): Promise<string | null> {
  const found = await fileTypeFromBuffer(bytes);
  if (!found) return null;
  // file-type reports any OOXML package by its own mime; a zip is a zip until the DOCX check says more
  return found.mime;
}

/** True when image data ends where the format says it ends: bytes after it are how image polyglots are built. */
export function endsCleanly(bytes: Buffer, type: string): boolean {
  switch (type) {
    case 'image/jpeg': {
      let end = bytes.length;
      while (end > 0 && bytes[end - 1] === 0) end--; // some encoders pad with zeros
      return end >= 2 && bytes[end - 2] === 0xff && bytes[end - 1] === 0xd9;
    }
    case 'image/png': {
      // the IEND chunk (length 0, type, CRC) must be the last 12 bytes
      const iend = bytes.lastIndexOf('IEND', undefined, 'latin1');
      return iend >= 4 && iend + 8 === bytes.length;
    }
    case 'image/webp':
      // RIFF size field counts everything after the first 8 bytes
      return bytes.length >= 12 && bytes.readUInt32LE(4) + 8 === bytes.length;
    default:
      return false;
  }
}
