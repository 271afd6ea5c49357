/** Failed sign-ins of one e-mail address, as Cognito counts them. */
export interface LockoutState {
  failures: number;
  lockedUntil: string | null;
}

export const NO_FAILURES: LockoutState = { failures: 0, lockedUntil: null };
/** Failures allowed before the first lock. */
export const FREE_FAILURES = 5;
const FIRST_LOCK_MS = 1_000;
const MAX_LOCK_MS = 15 * 60_000;

/** Milliseconds left on the lock, 0 when not locked. */
export function lockRemainingMs(state: LockoutState, now: Date): number {
  return state.lockedUntil ? Math.max(0, Date.parse(state.lockedUntil) - now.getTime()) : 0;
}

/**
 * The state after one more failure (only counted outside a lock — attempts during a lock do not extend it):
 * the 5th failure locks for 1 s, each further one doubles the lock, up to 15 minutes.
 */
export function afterFailure(state: LockoutState, now: Date): LockoutState {
  const failures = state.failures + 1;
  if (failures < FREE_FAILURES) return { failures, lockedUntil: null };
  const lockMs = Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** (failures - FREE_FAILURES));
  return { failures, lockedUntil: new Date(now.getTime() + lockMs).toISOString() };
}

/**
 * Remembers failures of addresses that have no account, so that they lock exactly like real ones and
 * the answers reveal nothing. Bounded: the oldest entries go first.
 */
export class UnknownAddressLockouts {
  private readonly states = new Map<string, LockoutState>();
  constructor(private readonly max = 10_000) {}

  get(emailKey: string): LockoutState {
    return this.states.get(emailKey) ?? NO_FAILURES;
  }

  set(emailKey: string, state: LockoutState): void {
    this.states.delete(emailKey);
    this.states.set(emailKey, state);
    if (this.states.size > this.max) this.states.delete(this.states.keys().next().value!);
  }
}
