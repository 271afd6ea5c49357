import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { postToSlack, SlackError, type SlackPostOptions } from '../../../src/modules/notifications/slack/slack-notifier.js';
import { freePort } from '../../support/free-port.js';

/** What the receiver does with one request: answer it, or never answer. */
type Step = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

interface Received {
  at: number;
  body: { text?: unknown; blocks?: unknown; metadata?: { event_type?: unknown; event_payload?: { event_id?: unknown } } };
  status: number | 'hung';
}

/** A webhook receiver on a free port that plays a script of answers, then answers 200 "ok". */
class WebhookReceiver {
  readonly received: Received[] = [];
  private script: Step[] = [];
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const step = this.script.shift() ?? { status: 200, body: 'ok' };
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'];
      this.received.push({ at: Date.now(), body, status: step === 'hang' ? 'hung' : step.status });
      if (step === 'hang') return; // the client's timeout has to end this
      res.writeHead(step.status, { 'content-type': 'text/plain', ...step.headers }).end(step.body ?? '');
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('receiver has no port');
    // Shaped like a real webhook: the path is the secret.
    this.url = `http://127.0.0.1:${address.port}/services/T0001/B0001/TOPSECRETTOKEN`;
  }

  play(...steps: Step[]): void {
    this.script = steps;
    this.received.length = 0;
  }

  delivered(): Received[] {
    return this.received.filter((r) => r.status === 200);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const FAST: SlackPostOptions = { timeoutMs: 2_000, maxAttempts: 5, maxTotalMs: 10_000, baseDelayMs: 10, maxDelayMs: 50 };

async function rejectsWithSlackError(p: Promise<unknown>): Promise<SlackError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SlackError, `expected a SlackError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected postToSlack to fail');
}

describe('postToSlack against a local webhook receiver', () => {
  const receiver = new WebhookReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());
  beforeEach(() => receiver.play());

  it('retries a 429 after its Retry-After and a 500 after a backoff, and the message arrives once', async () => {
    receiver.play({ status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' }, { status: 500, body: 'oops' });
    await postToSlack(receiver.url, { text: 'Nouveau profil', blocks: [{ type: 'divider' }], eventId: 'evt-42' }, FAST);
    assert.deepEqual(
      receiver.received.map((r) => r.status),
      [429, 500, 200],
    );
    assert.equal(receiver.delivered().length, 1);
    const [first, second] = receiver.received;
    assert.ok(second!.at - first!.at >= 950, `waited ${second!.at - first!.at} ms after Retry-After: 1`);
    for (const r of receiver.received) {
      assert.deepEqual(r.body, {
        text: 'Nouveau profil',
        blocks: [{ type: 'divider' }],
        metadata: { event_type: 'atelier_notification', event_payload: { event_id: 'evt-42' } },
      });
    }
  });

  it('gives up at once on a 400, not retryable, without the secret URL in the message', async () => {
    receiver.play({ status: 400, body: 'invalid_payload' });
    const err = await rejectsWithSlackError(postToSlack(receiver.url, { text: 'x', eventId: 'evt-1' }, FAST));
    assert.equal(err.retryable, false);
    assert.equal(err.details.status, 400);
    assert.equal(err.details.attempts, 1);
    assert.match(err.message, /invalid_payload/);
    assert.doesNotMatch(err.message, /TOPSECRETTOKEN/);
    assert.equal(receiver.received.length, 1);
  });

  it('times out on a receiver that hangs, retries, then reports a retryable failure', async () => {
    receiver.play('hang', 'hang');
    const started = Date.now();
    const err = await rejectsWithSlackError(
      postToSlack(receiver.url, { text: 'x', eventId: 'evt-2' }, { ...FAST, timeoutMs: 200, maxAttempts: 2 }),
    );
    assert.equal(err.retryable, true);
    assert.equal(err.details.attempts, 2);
    assert.match(err.message, /no answer within 200 ms/);
    assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
    assert.equal(receiver.received.length, 2);
  });

  it('stops after maxAttempts of server errors, retryable', async () => {
    receiver.play({ status: 503 }, { status: 502 }, { status: 500 });
    const err = await rejectsWithSlackError(
      postToSlack(receiver.url, { text: 'x', eventId: 'evt-3' }, { ...FAST, maxAttempts: 3 }),
    );
    assert.equal(err.retryable, true);
    assert.equal(err.details.attempts, 3);
    assert.equal(err.details.status, 500);
    assert.equal(receiver.delivered().length, 0);
  });

  it('does not start a wait that would pass maxTotalMs, and says how long Slack asked to wait', async () => {
    receiver.play({ status: 429, headers: { 'retry-after': '30' } });
    const started = Date.now();
    const err = await rejectsWithSlackError(
      postToSlack(receiver.url, { text: 'x', eventId: 'evt-4' }, { ...FAST, maxTotalMs: 2_000 }),
    );
    assert.equal(err.retryable, true);
    assert.equal(err.details.retryAfterMs, 30_000);
    assert.ok(Date.now() - started < 1_000);
    assert.equal(receiver.received.length, 1);
  });

  it('retries a connection that is refused, then reports a retryable failure', async () => {
    const url = `http://127.0.0.1:${await freePort()}/services/T/B/SECRET`;
    const err = await rejectsWithSlackError(postToSlack(url, { text: 'x', eventId: 'evt-5' }, { ...FAST, maxAttempts: 2 }));
    assert.equal(err.retryable, true);
    assert.equal(err.details.attempts, 2);
    assert.match(err.message, /ECONNREFUSED/);
    assert.doesNotMatch(err.message, /SECRET/);
  });
});
