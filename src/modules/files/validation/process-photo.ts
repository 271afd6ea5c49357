import sharp, { type Metadata, type Sharp } from 'sharp';
import { AppError, ErrorCode } from '../../../shared/errors.js';
import { MAX_PHOTO_PIXELS, THUMBNAIL_SIZES, type ThumbnailSize } from './file-rules.js';

export interface ProcessedPhoto {
  bytes: Buffer;
  contentType: string;
  width: number;
  height: number;
  thumbnails: Record<ThumbnailSize, Buffer>;
}

const encode = (img: Sharp, type: string): Sharp => {
  switch (type) {
    case 'image/jpeg':
      return img.jpeg({ quality: 85, mozjpeg: true });
    case 'image/png':
      return img.png({ compressionLevel: 9 });
    default:
      return img.webp({ quality: 85 });
  }
};

/**
 * Re-encodes a photo so that what we store is pixels we produced: every metadata block (EXIF, GPS, XMP,
 * ICC comments) is dropped, the EXIF orientation is applied first, and anything hidden in the original
 * bytes is gone. The pixel count is checked from the header before anything is decoded.
 */
export async function processPhoto(bytes: Buffer, type: string): Promise<ProcessedPhoto> {
  const options = { limitInputPixels: MAX_PHOTO_PIXELS, failOn: 'error' as const };
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { ...options, limitInputPixels: false }).metadata();
  } catch {
    throw new AppError(ErrorCode.UNSUPPORTED_TYPE, 'The photo could not be read as an image', { field: 'key' });
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0);
  if (!pixels) throw new AppError(ErrorCode.UNSUPPORTED_TYPE, 'The photo has no readable dimensions', { field: 'key' });
  if (pixels > MAX_PHOTO_PIXELS) {
    throw new AppError(
      ErrorCode.TOO_LARGE,
      `The photo is ${Math.round(pixels / 1e6)} megapixels; at most ${MAX_PHOTO_PIXELS / 1e6} are accepted`,
      { field: 'key' },
    );
  }
  try {
    const { data, info } = await encode(sharp(bytes, options).rotate(), type).toBuffer({ resolveWithObject: true });
    const thumbs = await Promise.all(
      THUMBNAIL_SIZES.map((size) => sharp(data, options).resize(size, size, { fit: 'cover' }).webp({ quality: 80 }).toBuffer()),
    );
    return {
      bytes: data,
      contentType: type,
      width: info.width,
      height: info.height,
      thumbnails: { 64: thumbs[0]!, 256: thumbs[1]! },
    };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(ErrorCode.UNSUPPORTED_TYPE, 'The photo is damaged and could not be decoded', { field: 'key' });
  }
}
