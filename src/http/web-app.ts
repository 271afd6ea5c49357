import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFoundHandler } from './problem.js';

/** The built single-page app (`npm start` and the tests build it with scripts/build-web.ts). */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** Paths that belong to the APIs: an unknown one there is a 404 problem, never the app's page. */
const API_PREFIXES = ['/api', '/auth', '/graphql', '/blobs', '/dev', '/metrics', '/healthz', '/readyz', '/.well-known', '/docs'];

const isApiPath = (url: string): boolean => {
  const pathname = url.split('?')[0] ?? '/';
  return API_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`));
};

/**
 * Serves web/dist at `/`: hashed assets cached for a year, index.html revalidated every time, and
 * index.html for any other GET that asks for HTML (the app's own routes, e.g. /freelancers/42).
 * Returns false when the app is not built (API-only servers keep working).
 */
export async function registerWebApp(app: FastifyInstance, dist = WEB_DIST): Promise<boolean> {
  const indexFile = path.join(dist, 'index.html');
  if (!fs.existsSync(indexFile)) {
    app.log.warn({ dist }, 'web app not built: serving the APIs only (npm start builds it)');
    return false;
  }
  await app.register(fastifyStatic, {
    root: dist,
    prefix: '/',
    // one route per built file: the catch-all below stays ours
    wildcard: false,
    index: false,
    cacheControl: false,
    // scripts/build-web.ts writes .br and .gz next to every text asset
    preCompressed: true,
    setHeaders(reply, file) {
      const hashed = file.includes(`${path.sep}assets${path.sep}`);
      void reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const sendIndex = (reply: FastifyReply) =>
    reply.header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').sendFile('index.html');
  const fallback = (req: FastifyRequest, reply: FastifyReply) => {
    const wantsHtml = (req.headers.accept ?? '').includes('text/html');
    if (isApiPath(req.url) || !wantsHtml) return notFoundHandler(req, reply);
    return sendIndex(reply);
  };
  app.get('/', (_req, reply) => sendIndex(reply));
  app.get('/*', fallback);
  return true;
}
