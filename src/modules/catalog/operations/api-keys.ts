import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseWith } from '../../../http/parse.js';
import type { Principal } from '../../identity/index.js';
import type { CatalogDeps } from '../deps.js';
import type { ApiKey } from '../model.js';
import { requireAdmin } from '../policy.js';

const SECRET_PREFIX = 'atk_';
export const hashApiKeySecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

const issueInput = z.object({
  name: z.string().trim().min(1).max(100),
  rateLimitPerMinute: z.number().int().min(1).max(1_000_000).optional(),
});

/** Admin only: a new search-only key. The secret is returned here once; only its sha256 is stored. */
export async function issueApiKey(
  deps: CatalogDeps,
  principal: Principal | null,
  input: unknown,
): Promise<{ key: ApiKey; secret: string }> {
  const admin = requireAdmin(principal);
  const { name, rateLimitPerMinute } = parseWith(issueInput, input);
  const secret = `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
  const key: ApiKey = {
    id: deps.ids.newId(),
    name,
    prefix: secret.slice(0, SECRET_PREFIX.length + 6),
    createdBy: admin.sub,
    createdAt: deps.clock.now().toISOString(),
    revokedAt: null,
    rateLimitPerMinute: rateLimitPerMinute ?? deps.settings.apiKeyRateLimitPerMinute,
  };
  await deps.catalog.createApiKey(key, hashApiKeySecret(secret));
  return { key, secret };
}

export async function listApiKeys(deps: CatalogDeps, principal: Principal | null): Promise<ApiKey[]> {
  requireAdmin(principal);
  return deps.catalog.listApiKeys();
}

/** Admin only: the key stops working at once, in every process (each request looks it up). */
export async function revokeApiKey(deps: CatalogDeps, principal: Principal | null, id: string): Promise<void> {
  requireAdmin(principal);
  await deps.catalog.revokeApiKey(id, deps.clock.now().toISOString());
}

/** The live key with this secret, or null (unknown, malformed or revoked). */
export async function apiKeyFromSecret(deps: CatalogDeps, secret: string): Promise<ApiKey | null> {
  if (!secret.startsWith(SECRET_PREFIX) || secret.length > 200) return null;
  return deps.catalog.apiKeyBySecretHash(hashApiKeySecret(secret));
}
