import multipart from '@fastify/multipart';
import type { FastifyPluginAsync } from 'fastify';
import { badInput, forbidden, isAppError, notFound } from '../../../shared/errors.js';
import type { FsBlobStore } from '../stores/fs-blob-store.js';

export interface FsBlobRoutesOptions {
  store: FsBlobStore;
}

/** Form fields the signed policy covers; S3 also refuses fields its policy does not mention, except `x-ignore-*`. */
const SIGNED_FIELDS = new Set(['key', 'content-type', 'policy', 'signature']);

/**
 * What S3 serves for pre-signed POST and GET, served by this process for `FsBlobStore`:
 * - `POST /blobs/upload`: the browser's form (`UploadTarget.fields`, then `file`). The policy's signature,
 *   expiry, key and Content-Type are checked when the file part begins, before a byte of it is read;
 *   its size is counted while it streams to a temporary file, and the upload is stopped as soon as it
 *   passes the maximum. Answers 204 with no body, like S3. A policy may be used again until it expires
 *   (S3 allows it too): it can only ever write its own key, with its type and size range.
 * - `GET /blobs/<key>?expires&sig[&disposition][&type]`: a signed download, with the signed headers.
 * Register with `app.register(fsBlobRoutes, { store })`: multipart parsing stays scoped to these routes.
 */
export const fsBlobRoutes: FastifyPluginAsync<FsBlobRoutesOptions> = async (app, { store }) => {
  await app.register(multipart, {
    // The size range is the policy's and is enforced while streaming (FsBlobStore.writeUpload); these
    // limits only bound what is buffered before the policy is known.
    limits: { fields: 12, fieldSize: 8 * 1024, fieldNameSize: 100, files: 1, parts: 13, headerPairs: 20, fileSize: Infinity },
    throwFileSizeLimit: false,
  });

  // A refused upload may still be arriving: closing the connection stops it instead of reading it to the end.
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode >= 400 && !req.raw.complete) void reply.header('connection', 'close');
    return payload;
  });

  app.post('/blobs/upload', async (req, reply) => {
    const fields = new Map<string, string>();
    for await (const part of req.parts()) {
      if (part.type === 'field') {
        const name = part.fieldname.toLowerCase(); // S3 form field names are case-insensitive
        if (name === 'file') throw badInput([{ path: 'file', message: 'send the file as a file part, with a file name' }]);
        if (typeof part.value !== 'string' || part.valueTruncated)
          throw badInput([{ path: name, message: 'a short text value' }]);
        if (name.startsWith('x-ignore-')) continue;
        if (!SIGNED_FIELDS.has(name)) throw forbidden(`The form field ${part.fieldname} is not allowed by the upload policy`);
        if (fields.has(name)) throw forbidden(`The form field ${part.fieldname} is given twice`);
        fields.set(name, part.value);
        continue;
      }
      if (part.fieldname !== 'file') throw badInput([{ path: part.fieldname, message: 'the file goes in a part named file' }]);
      // The file part has begun: decide before reading any of it.
      const policy = store.verifyUploadPolicy(fields.get('policy'), fields.get('signature'));
      if (fields.get('key') !== policy.key) throw forbidden('The form key is not the one the upload policy allows');
      if (fields.get('content-type') !== policy.contentType) {
        throw forbidden('The form Content-Type is not the one the upload policy allows');
      }
      // The file part's own Content-Type header is the browser's guess: the signed one is stored, as S3 does.
      try {
        await store.writeUpload(policy, part.file);
      } catch (err) {
        // The browser went away mid-upload: its business, not a server fault worth an error log.
        if (!isAppError(err) && req.raw.destroyed && !req.raw.complete) {
          throw badInput([{ path: 'file', message: 'the upload was interrupted' }], 'The upload was interrupted');
        }
        throw err;
      }
      return reply.status(204).send();
    }
    throw badInput([{ path: 'file', message: 'required, after the other fields' }], 'The form has no file');
  });

  app.get<{ Params: { '*': string }; Querystring: Record<string, unknown> }>('/blobs/*', async (req, reply) => {
    const key = req.params['*'];
    const grant = store.verifyDownload(key, req.query);
    const opened = await store.openForDownload(key);
    if (!opened) throw notFound('File');
    const { stream, info } = opened;
    void reply
      .header('content-type', grant.contentType ?? info.contentType ?? 'application/octet-stream')
      .header('content-length', info.size)
      .header('last-modified', new Date(info.lastModified).toUTCString())
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', `private, max-age=${grant.expiresInSeconds}`);
    // Like S3: no Content-Disposition unless the URL was signed with one.
    if (grant.disposition !== undefined) void reply.header('content-disposition', grant.disposition);
    return reply.send(stream);
  });
};
