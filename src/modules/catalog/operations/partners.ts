import { z } from 'zod';
import { parseWith } from '../../../http/parse.js';
import { notFound } from '../../../shared/errors.js';
import type { Principal } from '../../identity/index.js';
import type { CatalogDeps } from '../deps.js';
import type { Partner } from '../model.js';
import { requireAdmin, requirePartnerAccess, requireStaff } from '../policy.js';

export const partnerFields = z.object({
  slug: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'lowercase letters, digits and -, 2 to 64 characters')
    .min(2),
  name: z.string().trim().min(1).max(200),
  contactEmail: z.string().trim().email().max(254),
});
export type PartnerFields = z.infer<typeof partnerFields>;

/** Admin only: creates a partner; CONFLICT on a taken slug. */
export async function createPartner(deps: CatalogDeps, principal: Principal | null, input: unknown): Promise<Partner> {
  requireAdmin(principal);
  const fields = parseWith(partnerFields, input);
  const now = deps.clock.now().toISOString();
  const partner: Partner = { id: deps.ids.newId(), ...fields, createdAt: now, updatedAt: now };
  await deps.catalog.createPartner(partner);
  return partner;
}

/** Admin only: changes a partner's slug, name or contact; fields left out keep their value. */
export async function updatePartner(
  deps: CatalogDeps,
  principal: Principal | null,
  id: string,
  input: unknown,
): Promise<Partner> {
  requireAdmin(principal);
  const patch = parseWith(partnerFields.partial(), input);
  const current = await deps.catalog.getPartner(id);
  if (!current) throw notFound('Partner');
  const next: Partner = { ...current, ...patch, updatedAt: deps.clock.now().toISOString() };
  await deps.catalog.updatePartner(next);
  return next;
}

/** Team and admin see every partner; a partner account sees its own. */
export async function getPartner(deps: CatalogDeps, principal: Principal | null, id: string): Promise<Partner> {
  await requirePartnerAccess(deps.catalog, principal, id);
  const partner = await deps.catalog.getPartner(id);
  if (!partner) throw notFound('Partner');
  return partner;
}

/** Team and admin only: every partner by name. */
export async function listPartners(deps: CatalogDeps, principal: Principal | null): Promise<Partner[]> {
  requireStaff(principal);
  return deps.catalog.listPartners();
}

/**
 * Admin only: makes an account a member of the partner (an account belongs to one partner at most), or
 * removes it when `partnerId` is null. The account also needs the `partner` group to act on it.
 */
export async function setPartnerMember(
  deps: CatalogDeps,
  principal: Principal | null,
  accountId: string,
  partnerId: string | null,
): Promise<void> {
  requireAdmin(principal);
  if (partnerId !== null && !(await deps.catalog.getPartner(partnerId))) throw notFound('Partner');
  if (partnerId === null) {
    await deps.catalog.setMembership(accountId, null);
    return;
  }
  await deps.catalog.setMembership(accountId, partnerId);
}

/** Admin only: the ids of the partner's member accounts. */
export async function listPartnerMembers(deps: CatalogDeps, principal: Principal | null, partnerId: string): Promise<string[]> {
  requireAdmin(principal);
  if (!(await deps.catalog.getPartner(partnerId))) throw notFound('Partner');
  return deps.catalog.listMembers(partnerId);
}

/** The partner the caller manages (partner accounts), or null. */
export async function myPartner(deps: CatalogDeps, principal: Principal | null): Promise<Partner | null> {
  if (!principal) return null;
  const id = await deps.catalog.partnerOf(principal.sub);
  return id ? deps.catalog.getPartner(id) : null;
}
