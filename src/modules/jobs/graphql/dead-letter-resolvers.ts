import type { Clock } from '../../../shared/clock.js';
import { badInput, forbidden, unauthenticated } from '../../../shared/errors.js';
import { hasGroup, type Principal } from '../../identity/index.js';
import type { JobStore } from '../job-store.js';
import type { Job } from '../model.js';

export interface DeadLetterView {
  id: string;
  handler: string;
  eventType: string;
  eventId: string;
  aggregateId: string;
  attempts: number;
  lastError: string | null;
  occurredAt: string;
  failedAt: string;
  payload: string;
}

export interface DeadLetterDeps {
  store: JobStore;
  clock: Clock;
}

/** Secrets that may travel in event payloads (one-time codes) are not shown to the team. */
const SECRET_KEYS = new Set(['code', 'verificationCode', 'password', 'token', 'refreshToken']);
const redact = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) && v !== null ? '[redacted]' : redact(v)]),
    );
  }
  return value;
};

export const toDeadLetterView = (j: Job): DeadLetterView => ({
  id: j.id,
  handler: j.handler,
  eventType: j.event.type,
  eventId: j.event.id,
  aggregateId: j.event.aggregateId,
  attempts: j.attempts,
  lastError: j.lastError,
  occurredAt: j.event.occurredAt,
  failedAt: j.updatedAt,
  payload: JSON.stringify(redact(j.event.payload)),
});

function requireTeam(principal: Principal | null): void {
  if (!principal) throw unauthenticated();
  if (!hasGroup(principal, 'team', 'admin')) throw forbidden('Only the team can see dead letters');
}

export async function listDeadLetters(
  deps: DeadLetterDeps,
  principal: Principal | null,
  limit: number | null | undefined,
  nextToken: string | null | undefined,
) {
  requireTeam(principal);
  const size = limit ?? 20;
  if (!Number.isInteger(size) || size < 1 || size > 100)
    throw badInput([{ path: 'limit', message: 'must be between 1 and 100' }]);
  const page = await deps.store.listDead(size, nextToken);
  return { items: page.items.map(toDeadLetterView), nextToken: page.nextToken };
}

export async function retryDeadLetter(deps: DeadLetterDeps, principal: Principal | null, id: string): Promise<DeadLetterView> {
  requireTeam(principal);
  return toDeadLetterView(await deps.store.retryDead(id, deps.clock.now().toISOString()));
}

export async function discardDeadLetter(deps: DeadLetterDeps, principal: Principal | null, id: string): Promise<DeadLetterView> {
  requireTeam(principal);
  return toDeadLetterView(await deps.store.discardDead(id));
}
