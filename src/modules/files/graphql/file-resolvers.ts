import type { GraphQLContext } from '../../../graphql/context.js';
import type { Resolvers } from '../../../graphql/generated/types.js';
import { badInput, forbidden } from '../../../shared/errors.js';
import { accessTo, canSeeContact } from '../../profiles/index.js';
import { DOWNLOAD_TTL_SECONDS } from '../deps.js';
import { attachProfileFile } from '../operations/attach-profile-file.js';
import { createUploadUrl } from '../operations/create-upload-url.js';
import { THUMBNAIL_SIZES, type ThumbnailSize } from '../validation/file-rules.js';

const signed = (ctx: GraphQLContext, key: string, extra: { download?: { fileName: string } } = {}) =>
  ctx.files.blobs.createDownloadUrl(key, { expiresInSeconds: DOWNLOAD_TTL_SECONDS, ...extra });

export const fileResolvers: Resolvers = {
  Mutation: {
    createUploadUrl: async (_, { input }, ctx) => {
      const target = await createUploadUrl(ctx.files, ctx.principal, input);
      return { ...target, fields: JSON.stringify(target.fields) };
    },
    attachProfileFile: (_, { input }, ctx) => attachProfileFile(ctx.files, ctx.principal, input.key),
  },
  Profile: {
    // the photo is as public as the profile; the CV only for those who may see contact details
    photo: (p) => p.photo ?? null,
    cv: (p, _, ctx) => {
      if (!p.cv) return null;
      if (!canSeeContact(accessTo(ctx.principal, p))) throw forbidden('You may not read the CV of this profile');
      return p.cv;
    },
  },
  Photo: {
    url: (photo, _, ctx) => signed(ctx, photo.key),
    thumbnailUrl: (photo, { size }, ctx) => {
      if (!(THUMBNAIL_SIZES as readonly number[]).includes(size))
        throw badInput([{ path: 'size', message: 'must be 64 or 256' }]);
      return signed(ctx, photo.thumbnailKeys[String(size) as `${ThumbnailSize}`]);
    },
  },
  CvFile: {
    url: (cv, _, ctx) => signed(ctx, cv.key, { download: { fileName: cv.fileName } }),
  },
};
