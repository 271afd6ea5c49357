/**
 * A fact a module records in the same transaction as the change it describes (transactional outbox).
 * `id` is unique and stable: handlers use it (with their own name) as their idempotency key.
 */
export interface DomainEvent<TType extends string = string, TPayload = unknown> {
  id: string;
  type: TType;
  /** The entity the event is about (profile id, account id…). */
  aggregateId: string;
  occurredAt: string;
  payload: TPayload;
}

/** Port: a module's outbox, read by the job worker's relay. Implemented by each module's store. */
export interface OutboxSource {
  /** A name for logs and metrics (e.g. "profiles"). */
  readonly outboxName: string;
  /** Up to `limit` recorded events not yet relayed, oldest first. */
  readOutbox(limit: number): Promise<DomainEvent[]>;
  /** Forgets relayed events (idempotent: unknown ids are ignored). */
  ackOutbox(ids: string[]): Promise<void>;
}
