import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JobStore } from '../../src/modules/jobs/job-store.js';
import type { NewJob } from '../../src/modules/jobs/model.js';
import { rejectsWithCode } from '../support/assert-app-error.js';

const T0 = Date.UTC(2030, 0, 1);
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
let n = 0;
const newJob = (runAtSeconds = 0, handler = 'h'): NewJob => {
  n += 1;
  const eventId = `${crypto.randomUUID()}-${n}`;
  return {
    id: `${eventId}:${handler}`,
    handler,
    runAt: at(runAtSeconds),
    event: { id: eventId, type: 'test.happened', aggregateId: 'agg', occurredAt: at(0), payload: { n, text: 'é"<' } },
  };
};

/** The JobStore contract, run against every adapter. Each test uses its own time window far from the others. */
export function jobStoreSuite(name: string, open: () => Promise<JobStore>): void {
  describe(`JobStore conformance: ${name}`, () => {
    let store: JobStore;
    let base = 0;
    // every test works in its own hour so that earlier tests' leftovers are not due
    const window = () => (base += 3_600_000);
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.close();
    });

    const drainDue = async (nowS: number) => {
      // leftovers from earlier tests become due as time moves forward: finish them
      for (
        let jobs = await store.claim('janitor', at(nowS), at(nowS + 1), 100);
        jobs.length;
        jobs = await store.claim('janitor', at(nowS), at(nowS + 1), 100)
      ) {
        for (const j of jobs) await store.complete(j.id, 'janitor', at(nowS));
      }
    };

    it('enqueues idempotently and leases only due jobs, oldest first, counting attempts', async () => {
      const t = window() / 1000;
      await drainDue(t);
      const later = newJob(t + 60);
      const first = newJob(t - 2);
      const second = newJob(t - 1);
      await store.enqueue([later, second, first]);
      await store.enqueue([{ ...first, runAt: at(t + 999) }]);
      const claimed = await store.claim('w1', at(t), at(t + 120), 10);
      assert.deepEqual(
        claimed.map((j) => j.id),
        [first.id, second.id],
      );
      assert.equal(claimed[0]!.status, 'running');
      assert.equal(claimed[0]!.attempts, 1);
      assert.equal(claimed[0]!.leaseOwner, 'w1');
      assert.deepEqual(claimed[0]!.event, first.event);
      assert.deepEqual(await store.claim('w2', at(t + 1), at(t + 31), 10), [], 'leased jobs are not claimed again');
      // at t+60 only `later` is due: the others are still leased until t+120
      const dueLater = await store.claim('w2', at(t + 60), at(t + 90), 10);
      assert.deepEqual(
        dueLater.map((j) => j.id),
        [later.id],
      );
    });

    it('hands a job whose worker died to another worker once the lease expires', async () => {
      const t = window() / 1000;
      await drainDue(t);
      const job = newJob(t);
      await store.enqueue([job]);
      await store.claim('dead-worker', at(t), at(t + 30), 1);
      const again = await store.claim('w2', at(t + 31), at(t + 60), 1);
      assert.equal(again[0]?.id, job.id);
      assert.equal(again[0]?.attempts, 2);
      assert.equal(await store.complete(job.id, 'dead-worker', at(t + 32)), false, 'the old owner lost the lease');
      assert.equal(await store.complete(job.id, 'w2', at(t + 32)), true);
      assert.equal((await store.get(job.id))?.status, 'done');
      assert.equal(await store.complete(job.id, 'w2', at(t + 33)), false);
      await store.enqueue([job]);
      assert.equal((await store.get(job.id))?.status, 'done', 're-enqueueing a done job does nothing');
    });

    it('extends the lease of a running job for its owner only, and not once it has expired', async () => {
      const t = window() / 1000;
      await drainDue(t);
      const job = newJob(t);
      await store.enqueue([job]);
      await store.claim('w1', at(t), at(t + 30), 1);
      assert.equal(await store.extendLease(job.id, 'w2', at(t + 90), at(t + 10)), false, 'not the owner');
      assert.equal(await store.extendLease(job.id, 'w1', at(t + 90), at(t + 10)), true);
      assert.deepEqual(await store.claim('w2', at(t + 60), at(t + 120), 1), [], 'the extended lease still holds at t+60');
      const again = await store.claim('w2', at(t + 91), at(t + 120), 1);
      assert.equal(again[0]?.id, job.id, 'due again once the extended lease ran out');
      assert.equal(await store.extendLease(job.id, 'w1', at(t + 150), at(t + 92)), false, 'the old owner lost it');
      assert.equal(await store.complete(job.id, 'w2', at(t + 93)), true);
      assert.equal(await store.extendLease(job.id, 'w2', at(t + 150), at(t + 94)), false, 'done jobs have no lease');
    });

    it('retries a failed job at the given time and buries it when told to', async () => {
      const t = window() / 1000;
      await drainDue(t);
      const job = newJob(t);
      await store.enqueue([job]);
      await store.claim('w', at(t), at(t + 30), 1);
      assert.equal(await store.fail(job.id, 'other', 'nope', at(t + 10), at(t + 1)), false);
      assert.equal(await store.fail(job.id, 'w', 'SMTP 451', at(t + 10), at(t + 1)), true);
      const pending = await store.get(job.id);
      assert.equal(pending?.status, 'pending');
      assert.equal(pending?.lastError, 'SMTP 451');
      assert.deepEqual(await store.claim('w', at(t + 9), at(t + 40), 5), []);
      const retried = await store.claim('w', at(t + 10), at(t + 40), 5);
      assert.equal(retried[0]?.attempts, 2);
      assert.equal(await store.fail(job.id, 'w', 'SMTP 550 no such user', null, at(t + 11)), true);
      const dead = await store.get(job.id);
      assert.equal(dead?.status, 'dead');
      assert.equal(dead?.lastError, 'SMTP 550 no such user');
      assert.deepEqual(await store.claim('w', at(t + 3000), at(t + 3030), 5).then((js) => js.filter((j) => j.id === job.id)), []);
    });

    it('lists dead letters newest first across pages, retries and discards them', async () => {
      const t = window() / 1000;
      await drainDue(t);
      const jobs = [newJob(t), newJob(t), newJob(t)];
      await store.enqueue(jobs);
      const claimed = await store.claim('w', at(t), at(t + 30), 3);
      assert.equal(claimed.length, 3);
      for (const [i, j] of jobs.entries()) await store.fail(j.id, 'w', `boom ${i}`, null, at(t + 1 + i));
      const seen: string[] = [];
      let page = await store.listDead(2);
      seen.push(...page.items.map((j) => j.id));
      while (page.nextToken) {
        page = await store.listDead(2, page.nextToken);
        seen.push(...page.items.map((j) => j.id));
      }
      const ours = seen.filter((id) => jobs.some((j) => j.id === id));
      assert.deepEqual(ours, [jobs[2]!.id, jobs[1]!.id, jobs[0]!.id]);
      const revived = await store.retryDead(jobs[0]!.id, at(t + 100));
      assert.equal(revived.status, 'pending');
      assert.equal(revived.attempts, 0);
      assert.equal(revived.runAt, at(t + 100));
      const discarded = await store.discardDead(jobs[1]!.id);
      assert.equal(discarded.id, jobs[1]!.id);
      assert.equal(await store.get(jobs[1]!.id), null);
      await rejectsWithCode(store.retryDead(jobs[0]!.id, at(t + 101)), 'NOT_FOUND');
      await rejectsWithCode(store.discardDead(jobs[1]!.id), 'NOT_FOUND');
      await rejectsWithCode(store.listDead(2, 'forged'), 'BAD_USER_INPUT');
      // leave the revived job done so that later tests do not see it
      const again = await store.claim('w', at(t + 100), at(t + 130), 10);
      for (const j of again) await store.complete(j.id, 'w', at(t + 100));
      await store.discardDead(jobs[2]!.id);
    });

    it('never leases one job to two concurrent claimers', async () => {
      const t = window() / 1000;
      await drainDue(t);
      const jobs = Array.from({ length: 30 }, () => newJob(t));
      await store.enqueue(jobs);
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => store.claim(`w${i}`, at(t), at(t + 30), 10)));
      const ids = results.flat().map((j) => j.id);
      assert.equal(new Set(ids).size, ids.length, 'no job leased twice');
      assert.equal(ids.length, 30);
      for (const [i, batch] of results.entries())
        for (const j of batch) assert.equal(await store.complete(j.id, `w${i}`, at(t + 1)), true);
    });

    it('counts jobs by status and purges old done jobs', async () => {
      const t = window() / 1000;
      await drainDue(t);
      const before = await store.counts();
      const job = newJob(t);
      await store.enqueue([job]);
      assert.equal((await store.counts()).pending, before.pending + 1);
      await store.claim('w', at(t), at(t + 30), 1);
      await store.complete(job.id, 'w', at(t));
      assert.ok((await store.purgeDone(at(t + 1))) >= 1);
      assert.equal(await store.get(job.id), null);
      await store.ping();
    });
  });
}
