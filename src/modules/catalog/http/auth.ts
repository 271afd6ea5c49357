import type { FastifyRequest } from 'fastify';
import { forbidden, unauthenticated } from '../../../shared/errors.js';
import type { IdentityProvider, Principal } from '../../identity/index.js';
import type { CatalogDeps } from '../deps.js';
import { apiKeyFromSecret } from '../operations/api-keys.js';
import type { Caller } from '../policy.js';

/** The credentials of a request: a bearer access token, or a search API key (`ApiKey <secret>` or `X-Api-Key`). */
function credentials(req: FastifyRequest): { bearer: string | null; apiKey: string | null } {
  const auth = typeof req.headers.authorization === 'string' ? req.headers.authorization.trim() : '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(auth)?.[1] ?? null;
  const headerKey = req.headers['x-api-key'];
  const apiKey = /^ApiKey\s+(\S+)$/i.exec(auth)?.[1] ?? (typeof headerKey === 'string' ? headerKey.trim() : null);
  return { bearer, apiKey: apiKey || null };
}

/**
 * The signed-in account, verified exactly as the GraphQL edge does; null without a token. An API key is
 * refused here: keys only search.
 */
export async function principalOf(identity: IdentityProvider, req: FastifyRequest): Promise<Principal | null> {
  const { bearer, apiKey } = credentials(req);
  if (bearer) return identity.verifyAccessToken(bearer);
  if (apiKey) throw forbidden('API keys can only search products');
  return null;
}

/** A searcher: an account (bearer token) or a live API key; UNAUTHENTICATED for an unknown or revoked key. */
export async function callerOf(identity: IdentityProvider, deps: CatalogDeps, req: FastifyRequest): Promise<Caller | null> {
  const { bearer, apiKey } = credentials(req);
  if (bearer) return { kind: 'account', principal: await identity.verifyAccessToken(bearer) };
  if (apiKey) {
    const key = await apiKeyFromSecret(deps, apiKey);
    if (!key) throw unauthenticated('Unknown or revoked API key');
    return { kind: 'apiKey', key };
  }
  return null;
}
