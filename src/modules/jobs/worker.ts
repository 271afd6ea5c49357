import os from 'node:os';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Clock } from '../../shared/clock.js';
import type { DomainEvent, OutboxSource } from '../../shared/events.js';
import { backoffDelay } from './backoff.js';
import { isPermanent, type EventHandler, type HandlerLogger } from './handler.js';
import type { JobStore } from './job-store.js';
import { jobId, type Job, type NewJob } from './model.js';

export interface WorkerOptions {
  /** How often to look for work when nothing pokes the worker. */
  pollIntervalMs: number;
  batchSize: number;
  /** How long a claimed job is ours; a worker killed mid-job loses it after this. */
  leaseMs: number;
  /** Attempts before a job goes to the dead letters. */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Handlers run at once. */
  concurrency: number;
  /** Done jobs are kept this long to make re-enqueueing a no-op, then purged. */
  keepDoneMs: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  pollIntervalMs: 250,
  batchSize: 50,
  leaseMs: 60_000,
  maxAttempts: 8,
  backoffBaseMs: 1_000,
  backoffMaxMs: 15 * 60_000,
  concurrency: 8,
  keepDoneMs: 7 * 86_400_000,
};

export interface WorkerDeps {
  jobs: JobStore;
  sources: readonly OutboxSource[];
  handlers: readonly EventHandler[];
  clock: Clock;
  log: HandlerLogger & { child(bindings: object): HandlerLogger };
  registry?: Registry;
  random?: () => number;
}

/**
 * Delivers recorded events to handlers at least once. Each tick: (1) relay — copy outbox events into
 * one job per (event, handler), idempotently, then acknowledge them; (2) run — lease due jobs, run
 * their handler, mark them done, or reschedule with backoff, or bury them as dead letters.
 * Every step is safe to repeat after a crash at any point.
 */
export class Worker {
  readonly id = `${os.hostname()}-${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
  private readonly o: WorkerOptions;
  private readonly byType = new Map<string, EventHandler[]>();
  private readonly byName = new Map<string, EventHandler>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private lastPurge = 0;
  private readonly metrics;

  constructor(
    private readonly deps: WorkerDeps,
    options: Partial<WorkerOptions> = {},
  ) {
    this.o = { ...DEFAULT_WORKER_OPTIONS, ...options };
    for (const h of deps.handlers) {
      if (this.byName.has(h.name)) throw new Error(`two handlers are named ${h.name}`);
      this.byName.set(h.name, h);
      for (const type of h.on) this.byType.set(type, [...(this.byType.get(type) ?? []), h]);
    }
    const registers = deps.registry ? [deps.registry] : [];
    this.metrics = {
      processed: new Counter({
        name: 'atelier_jobs_processed_total',
        help: 'Job runs by handler and outcome (done, retry, dead)',
        labelNames: ['handler', 'outcome'] as const,
        registers,
      }),
      delay: new Histogram({
        name: 'atelier_event_delivery_delay_seconds',
        help: 'From the event being recorded to its handler succeeding',
        labelNames: ['handler'] as const,
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300],
        registers,
      }),
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the jobs in hand, then stops. Leases of unfinished jobs simply expire. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Asks for an immediate tick (e.g. right after a commit) instead of waiting for the next poll. */
  poke(): void {
    this.wake?.();
  }

  /** Runs ticks until there is nothing due; for tests and one-shot runs. */
  async drain(maxTicks = 1_000): Promise<void> {
    for (let i = 0; i < maxTicks; i++) {
      const relayed = await this.relay();
      const ran = await this.runDue();
      if (relayed === 0 && ran === 0) return;
    }
  }

  private readonly inFlight = new Set<Promise<void>>();

  /**
   * A pool: up to `concurrency` jobs run at once, and a free slot is refilled as soon as a job ends,
   * so one slow delivery (a Slack Retry-After, an SMTP time-out) never holds back the others.
   */
  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        await this.relay();
        claimed = await this.claimInto(this.o.concurrency - this.inFlight.size);
        await this.purgeNowAndThen();
      } catch (err) {
        this.deps.log.error({ err }, 'job worker tick failed; retrying');
      }
      if (claimed > 0 || !this.running) continue;
      // nothing new: wait for a slot to free up, a poke, or the next poll
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.o.pollIntervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
        if (this.inFlight.size >= this.o.concurrency) void Promise.race(this.inFlight).then(() => this.wake?.());
      });
      this.wake = undefined;
    }
    await Promise.all(this.inFlight);
  }

  /** Leases up to `slots` due jobs and starts them without waiting. Returns how many it started. */
  private async claimInto(slots: number): Promise<number> {
    if (slots <= 0) return 0;
    const jobs = await this.claim(Math.min(slots, this.o.batchSize));
    for (const job of jobs) {
      const p: Promise<void> = this.runJob(job).finally(() => {
        this.inFlight.delete(p);
        this.wake?.();
      });
      this.inFlight.add(p);
    }
    return jobs.length;
  }

  private claim(limit: number): Promise<Job[]> {
    const now = this.deps.clock.now();
    return this.deps.jobs.claim(this.id, now.toISOString(), new Date(now.getTime() + this.o.leaseMs).toISOString(), limit);
  }

  /** Copies outbox events into jobs. Returns how many events it relayed. */
  async relay(): Promise<number> {
    let total = 0;
    for (const source of this.deps.sources) {
      const events = await source.readOutbox(this.o.batchSize);
      if (!events.length) continue;
      const jobs = events.flatMap((e) => this.jobsFor(e));
      if (jobs.length) await this.deps.jobs.enqueue(jobs);
      await source.ackOutbox(events.map((e) => e.id));
      total += events.length;
    }
    return total;
  }

  /** Jobs delivering `event` to every handler that listens to its type. */
  jobsFor(event: DomainEvent, runAt = event.occurredAt): NewJob[] {
    return (this.byType.get(event.type) ?? []).map((h) => ({ id: jobId(event.id, h.name), handler: h.name, event, runAt }));
  }

  /** Leases due jobs and runs them all (`concurrency` at a time) to completion. Returns how many it ran. */
  async runDue(): Promise<number> {
    const jobs = await this.claim(this.o.batchSize);
    let next = 0;
    const lane = async () => {
      while (next < jobs.length) await this.runJob(jobs[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, jobs.length) }, lane));
    return jobs.length;
  }

  private async runJob(job: Job): Promise<void> {
    const handler = this.byName.get(job.handler);
    const log = this.deps.log.child({ jobId: job.id, handler: job.handler, eventType: job.event.type, attempt: job.attempts });
    const heartbeat = this.keepLease(job, log);
    try {
      if (!handler) throw Object.assign(new Error(`no handler named ${job.handler}`), { retryable: false });
      await handler.handle(job.event, { jobId: job.id, attempt: job.attempts, log, now: () => this.deps.clock.now() });
      clearInterval(heartbeat);
      const done = await this.deps.jobs.complete(job.id, this.id, this.deps.clock.now().toISOString());
      if (!done) log.warn({}, 'lease lost before completion; another worker will run it again');
      this.metrics.processed.inc({ handler: job.handler, outcome: 'done' });
      this.metrics.delay.observe(
        { handler: job.handler },
        (this.deps.clock.now().getTime() - Date.parse(job.event.occurredAt)) / 1000,
      );
    } catch (err) {
      clearInterval(heartbeat);
      const message = err instanceof Error ? err.message : String(err);
      const dead = isPermanent(err) || job.attempts >= this.o.maxAttempts;
      const now = this.deps.clock.now();
      const retryAt = dead
        ? null
        : new Date(
            now.getTime() + backoffDelay(job.attempts, this.o.backoffBaseMs, this.o.backoffMaxMs, this.deps.random),
          ).toISOString();
      await this.deps.jobs.fail(job.id, this.id, message.slice(0, 2_000), retryAt, now.toISOString());
      this.metrics.processed.inc({ handler: job.handler, outcome: dead ? 'dead' : 'retry' });
      if (dead) log.error({ err }, 'job failed for good; moved to the dead letters');
      else log.warn({ err, retryAt }, 'job failed; will retry');
    }
  }

  /**
   * Renews the lease of a running job every third of the lease, so that a handler running longer than
   * `leaseMs` (a large catalog import) is not handed to another worker while this one is alive. If the
   * lease was lost anyway (this process stalled past it), the renewal says so and stops.
   */
  private keepLease(job: Job, log: HandlerLogger): NodeJS.Timeout {
    const timer = setInterval(
      () => {
        const now = this.deps.clock.now();
        this.deps.jobs
          .extendLease(job.id, this.id, new Date(now.getTime() + this.o.leaseMs).toISOString(), now.toISOString())
          .then((held) => {
            if (!held) {
              clearInterval(timer);
              log.warn({}, 'lease lost while running; another worker may run this job again');
            }
          })
          .catch((err: unknown) => log.warn({ err }, 'lease renewal failed; retrying at the next beat'));
      },
      Math.max(50, Math.floor(this.o.leaseMs / 3)),
    );
    timer.unref();
    return timer;
  }

  private async purgeNowAndThen(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    if (now - this.lastPurge < 3_600_000) return;
    this.lastPurge = now;
    await this.deps.jobs.purgeDone(new Date(now - this.o.keepDoneMs).toISOString());
  }
}
