import type { DomainEvent } from '../../shared/events.js';

export interface HandlerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What a handler learns about the delivery it is running in. */
export interface HandlerContext {
  /** Stable across retries of this delivery: use it as the idempotency key of any effect. */
  jobId: string;
  attempt: number;
  log: HandlerLogger;
  now(): Date;
}

/**
 * Business logic triggered by events: a plain function of (event, context). The same handlers run in the
 * job worker and behind the Lambda entry points (`src/lambda/`). They must be idempotent: an event may be
 * delivered more than once.
 */
export interface EventHandler {
  /** Unique; part of each job id, so renaming a handler re-delivers pending events to it. */
  name: string;
  /** Event types this handler receives. */
  on: readonly string[];
  handle(event: DomainEvent, ctx: HandlerContext): Promise<void>;
}

/** Thrown (or any error with `retryable: false`) to send a job to the dead letters at once. */
export class PermanentError extends Error {
  readonly retryable = false;
}

export const isPermanent = (err: unknown): boolean =>
  err instanceof PermanentError || (typeof err === 'object' && err !== null && 'retryable' in err && err.retryable === false);
