import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { SqliteJobStore, Worker, PermanentError, backoffDelay, type EventHandler } from '../../../src/modules/jobs/index.js';
import { SqliteProfileStore } from '../../../src/modules/profiles/stores/sqlite-profile-store.js';
import type { ProfileDomainEvent } from '../../../src/modules/profiles/index.js';
import { systemClock } from '../../../src/shared/clock.js';
import { makeProfile } from '../../support/fixtures.js';

const log = pino({ level: 'silent' });

function setup(handlers: EventHandler[], maxAttempts = 3) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-worker-'));
  const jobs = new SqliteJobStore(path.join(dir, 'jobs.db'));
  const profiles = new SqliteProfileStore(path.join(dir, 'profiles.db'));
  const worker = new Worker(
    { jobs, sources: [profiles], handlers, clock: systemClock, log },
    { pollIntervalMs: 10, backoffBaseMs: 5, backoffMaxMs: 20, maxAttempts },
  );
  return { jobs, profiles, worker };
}

const created = (): { profile: ReturnType<typeof makeProfile>; event: ProfileDomainEvent } => {
  const profile = makeProfile();
  return {
    profile,
    event: {
      id: crypto.randomUUID(),
      type: 'profile.created',
      aggregateId: profile.id,
      occurredAt: new Date().toISOString(),
      payload: { profile, actorId: profile.ownerId },
    },
  };
};

const recorder = (name: string, on: string[], fail?: (attempt: number) => Error | null) => {
  const seen: { eventId: string; jobId: string; attempt: number }[] = [];
  const handler: EventHandler = {
    name,
    on,
    async handle(event, ctx) {
      const err = fail?.(ctx.attempt) ?? null;
      if (err) throw err;
      seen.push({ eventId: event.id, jobId: ctx.jobId, attempt: ctx.attempt });
    },
  };
  return { handler, seen };
};

describe('the job worker', () => {
  it('delivers every recorded event to every handler that listens to it, once', async () => {
    const a = recorder('a', ['profile.created']);
    const b = recorder('b', ['profile.created', 'profile.deleted']);
    const other = recorder('other', ['account.created']);
    const { profiles, worker, jobs } = setup([a.handler, b.handler, other.handler]);
    const events = Array.from({ length: 5 }, created);
    for (const e of events) await profiles.create(e.profile, [e.event]);
    await worker.drain();
    await worker.drain();
    assert.deepEqual(
      a.seen.map((s) => s.eventId),
      events.map((e) => e.event.id),
    );
    assert.deepEqual(
      b.seen.map((s) => s.eventId),
      events.map((e) => e.event.id),
    );
    assert.equal(other.seen.length, 0);
    assert.equal(a.seen[0]!.jobId, `${events[0]!.event.id}:a`);
    assert.deepEqual(await profiles.readOutbox(10), [], 'relayed events leave the outbox');
    assert.equal((await jobs.counts()).done, 10);
  });

  it('retries a failing handler with backoff and succeeds without touching the others', async () => {
    const flaky = recorder('flaky', ['profile.created'], (attempt) => (attempt < 3 ? new Error(`temporary ${attempt}`) : null));
    const steady = recorder('steady', ['profile.created']);
    const { profiles, worker, jobs } = setup([flaky.handler, steady.handler], 5);
    const e = created();
    await profiles.create(e.profile, [e.event]);
    const deadline = Date.now() + 5_000;
    while (flaky.seen.length === 0 && Date.now() < deadline) {
      await worker.drain();
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(
      flaky.seen.map((s) => s.attempt),
      [3],
    );
    assert.equal(steady.seen.length, 1, 'the healthy handler ran once');
    assert.equal((await jobs.counts()).dead, 0);
  });

  it('moves a job to the dead letters after the last attempt, or at once on a permanent error, and retries it on demand', async () => {
    let healthy = false;
    const broken = recorder('broken', ['profile.created'], () => (healthy ? null : new Error('SMTP 451 try later')));
    const refused = recorder('refused', ['profile.created'], () =>
      healthy ? null : new PermanentError('SMTP 550 no such user'),
    );
    const { profiles, worker, jobs } = setup([broken.handler, refused.handler], 3);
    const e = created();
    await profiles.create(e.profile, [e.event]);
    const deadline = Date.now() + 5_000;
    while ((await jobs.counts()).dead < 2 && Date.now() < deadline) {
      await worker.drain();
      await new Promise((r) => setTimeout(r, 10));
    }
    const dead = (await jobs.listDead(10)).items;
    assert.deepEqual(dead.map((j) => [j.handler, j.attempts, j.lastError]).sort(), [
      ['broken', 3, 'SMTP 451 try later'],
      ['refused', 1, 'SMTP 550 no such user'],
    ]);
    healthy = true;
    for (const j of dead) await jobs.retryDead(j.id, new Date().toISOString());
    await worker.drain();
    assert.equal(broken.seen.length, 1);
    assert.equal(refused.seen.length, 1);
    assert.equal((await jobs.counts()).dead, 0);
  });

  it('runs continuously once started, wakes on poke, and stops after finishing the job in hand', async () => {
    let release: () => void = () => undefined;
    const slow: EventHandler = {
      name: 'slow',
      on: ['profile.created'],
      handle: () => new Promise<void>((r) => (release = r)),
    };
    const { profiles, worker, jobs } = setup([slow]);
    worker.start();
    const e = created();
    await profiles.create(e.profile, [e.event]);
    worker.poke();
    const deadline = Date.now() + 5_000;
    while ((await jobs.counts()).running === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const stopped = worker.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(done, false, 'stop waits for the running handler');
    release();
    await stopped;
    assert.equal((await jobs.counts()).done, 1);
  });

  it('keeps the lease of a handler that runs longer than the lease, so a second worker never runs it too', async () => {
    let runs = 0;
    const long: EventHandler = {
      name: 'long',
      on: ['profile.created'],
      async handle() {
        runs++;
        await new Promise((r) => setTimeout(r, 900)); // three leases long
      },
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-worker-'));
    const jobs = new SqliteJobStore(path.join(dir, 'jobs.db'));
    const profiles = new SqliteProfileStore(path.join(dir, 'profiles.db'));
    const options = { pollIntervalMs: 10, leaseMs: 300 };
    const a = new Worker({ jobs, sources: [profiles], handlers: [long], clock: systemClock, log }, options);
    const b = new Worker({ jobs, sources: [profiles], handlers: [long], clock: systemClock, log }, options);
    const e = created();
    await profiles.create(e.profile, [e.event]);
    a.start();
    const deadline = Date.now() + 5_000;
    while ((await jobs.counts()).running === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    b.start(); // polls every 10 ms: it would take the job as soon as a lease ran out
    while ((await jobs.counts()).done === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await Promise.all([a.stop(), b.stop()]);
    assert.equal((await jobs.counts()).done, 1);
    assert.equal(runs, 1, 'the renewed lease kept the second worker away');
  });

  it('spreads retries exponentially with jitter, within the cap', () => {
    const delays = [1, 2, 3, 4, 10].map((a) => backoffDelay(a, 1_000, 60_000, () => 0.5));
    assert.deepEqual(delays, [750, 1_500, 3_000, 6_000, 45_000]);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(3, 1_000, 60_000);
      assert.ok(d >= 2_000 && d <= 4_000);
    }
  });
});
