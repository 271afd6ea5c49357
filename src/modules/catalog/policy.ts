import { forbidden, unauthenticated } from '../../shared/errors.js';
import { hasGroup, type Principal } from '../identity/index.js';
import type { CatalogStore } from './catalog-store.js';
import type { ApiKey } from './model.js';

/**
 * Who may do what with catalogs. `admin` manages partners, memberships and API keys; `team` and `admin`
 * manage every partner's catalog; a `partner` account manages its own partner's catalog only. Searching is
 * open to any signed-in account and to search-only API keys.
 */
export type Caller = { kind: 'account'; principal: Principal } | { kind: 'apiKey'; key: ApiKey };

export function requireAccount(principal: Principal | null): Principal {
  if (!principal) throw unauthenticated();
  return principal;
}

export function requireAdmin(principal: Principal | null): Principal {
  const p = requireAccount(principal);
  if (!hasGroup(p, 'admin')) throw forbidden('Only an admin can do this');
  return p;
}

export function requireStaff(principal: Principal | null): Principal {
  const p = requireAccount(principal);
  if (!hasGroup(p, 'team', 'admin')) throw forbidden('Only the team can do this');
  return p;
}

/** Throws unless the caller may manage this partner's catalog (imports, mapping) and read the partner. */
export async function requirePartnerAccess(
  store: CatalogStore,
  principal: Principal | null,
  partnerId: string,
): Promise<Principal> {
  const p = requireAccount(principal);
  if (hasGroup(p, 'team', 'admin')) return p;
  if (hasGroup(p, 'partner') && (await store.partnerOf(p.sub)) === partnerId) return p;
  throw forbidden('You can only manage your own partner’s catalog');
}

/** Search, suggest and product reads: any signed-in account, or a live API key. */
export function requireSearchCaller(caller: Caller | null): Caller {
  if (!caller) throw unauthenticated('Sign in or send an API key');
  return caller;
}
