import type { DomainEvent } from '../shared/events.js';
import { jobId, type EventHandler, type HandlerLogger } from '../modules/jobs/index.js';

/**
 * Runs every handler that listens to `event.type`, as the job worker would: same job ids, so the same
 * idempotency keys (Message-IDs…). Throws if any handler failed, after running the others, so the Lambda
 * service retries the record; handlers that had succeeded see it again and have no second effect.
 */
export async function dispatch(
  event: DomainEvent,
  handlers: readonly EventHandler[],
  log: HandlerLogger,
  now = () => new Date(),
): Promise<void> {
  const failures: unknown[] = [];
  for (const h of handlers.filter((x) => x.on.includes(event.type))) {
    const id = jobId(event.id, h.name);
    try {
      await h.handle(event, { jobId: id, attempt: 1, log, now });
    } catch (err) {
      log.error({ err, jobId: id, handler: h.name }, 'handler failed');
      failures.push(err);
    }
  }
  if (failures.length) throw new AggregateError(failures, `${failures.length} handler(s) failed for event ${event.id}`);
}
