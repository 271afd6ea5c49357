export const FILE_KINDS = ['PHOTO', 'CV'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

export const PDF = 'application/pdf';
export const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

export interface KindRules {
  contentTypes: readonly string[];
  maxBytes: number;
  /** File name extension for each accepted type, for the names we choose. */
  extensions: Record<string, string>;
}

/** What each kind of profile file may be. Declared types are checked against the bytes, never trusted. */
export const RULES: Record<FileKind, KindRules> = {
  PHOTO: {
    contentTypes: ['image/jpeg', 'image/png', 'image/webp'],
    maxBytes: 5 * 1024 * 1024,
    extensions: { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' },
  },
  CV: {
    contentTypes: [PDF, DOCX],
    maxBytes: 10 * 1024 * 1024,
    extensions: { [PDF]: 'pdf', [DOCX]: 'docx' },
  },
};

/** Photos above this are refused before being decoded: a small file can claim a huge image (a "pixel bomb"). */
export const MAX_PHOTO_PIXELS = 40_000_000;
export const THUMBNAIL_SIZES = [64, 256] as const;
export type ThumbnailSize = (typeof THUMBNAIL_SIZES)[number];
