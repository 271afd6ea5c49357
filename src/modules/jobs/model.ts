import type { DomainEvent } from '../../shared/events.js';

export type JobStatus = 'pending' | 'running' | 'done' | 'dead';

/** One delivery of one event to one handler. Its id is `${event.id}:${handler}`: enqueueing twice is a no-op. */
export interface Job {
  id: string;
  handler: string;
  event: DomainEvent;
  status: JobStatus;
  /** Claims so far, including the current one: a crash mid-run counts as an attempt. */
  attempts: number;
  runAt: string;
  leaseOwner: string | null;
  leaseUntil: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewJob {
  id: string;
  handler: string;
  event: DomainEvent;
  runAt: string;
}

export const jobId = (eventId: string, handler: string): string => `${eventId}:${handler}`;
