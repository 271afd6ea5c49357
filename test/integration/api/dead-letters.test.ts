import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, uniqueEmail, type TestServer } from '../../support/test-server.js';
import { startFaultySmtp, type FaultySmtp } from '../../support/faulty-peers.js';

const LIST = '{ listDeadLetters(limit: 50) { items { id handler eventType attempts lastError payload } nextToken } }';
const RETRY = 'mutation($id: ID!) { retryDeadLetter(input: { id: $id }) { id attempts } }';
const DISCARD = 'mutation($id: ID!) { discardDeadLetter(input: { id: $id }) { id handler } }';

interface DeadLetter {
  id: string;
  handler: string;
  eventType: string;
  attempts: number;
  lastError: string;
  payload: string;
}

describe('dead letters over GraphQL', () => {
  let s: TestServer;
  let smtp: FaultySmtp;
  const bouncing = uniqueEmail('bouncing').toLowerCase();
  const gone = uniqueEmail('gone').toLowerCase();
  before(async () => {
    smtp = await startFaultySmtp({ refuseRate: 0, hangRate: 0, blackholes: [bouncing, gone], seed: 1 });
    s = await startTestServer(
      { MAIL_TRANSPORT: 'smtp', SMTP_URL: smtp.url },
      { readCode: (email) => /\b(\d{6})\b/.exec(smtp.accepted.find((m) => m.to.includes(email))?.text ?? '')?.[1] ?? null },
    );
  });
  after(async () => {
    await s.close();
    await smtp.stop();
  });

  const deadLetters = async (token: string) => {
    const r = await s.gql<{ listDeadLetters: { items: DeadLetter[] } }>(LIST, {}, token);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data!.listDeadLetters.items;
  };

  it('lets only the team list, retry and discard them, with one-time codes redacted', async () => {
    // two sign-ups whose verification e-mail the peer refuses for good (550)
    for (const email of [bouncing, gone])
      assert.equal((await s.post('/auth/signup', { email, password: 'a good long password' })).status, 201);
    const team = await s.newUserInGroups(['team']);
    const deadline = Date.now() + 10_000;
    let items = await deadLetters(team.token);
    while (items.length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      items = await deadLetters(team.token);
    }
    assert.equal(items.length, 2);
    for (const d of items) {
      assert.equal(d.handler, 'mail-account-code');
      assert.equal(d.eventType, 'account.created');
      assert.match(d.lastError, /550/);
      const payload = JSON.parse(d.payload) as { verificationCode: string; email: string };
      assert.equal(payload.verificationCode, '[redacted]');
      assert.ok([bouncing, gone].includes(payload.email));
    }

    const freelancer = await s.newUser();
    const denied = await s.gql(LIST, {}, freelancer.token);
    assert.equal(denied.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal((await s.gql(RETRY, { id: items[0]!.id }, freelancer.token)).errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal((await s.gql(LIST, {})).errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');

    // the first mailbox comes back: a retry delivers its code
    const bouncingLetter = items.find((d) => (JSON.parse(d.payload) as { email: string }).email === bouncing)!;
    const goneLetter = items.find((d) => d !== bouncingLetter)!;
    smtp.blackholes.splice(0);
    const retried = await s.gql<{ retryDeadLetter: { id: string; attempts: number } }>(
      RETRY,
      { id: bouncingLetter.id },
      team.token,
    );
    assert.deepEqual(retried.data?.retryDeadLetter, { id: bouncingLetter.id, attempts: 0 });
    const code = await s.mailedCode(bouncing);
    assert.equal((await s.post('/auth/verify', { email: bouncing, code })).status, 200);

    const discarded = await s.gql<{ discardDeadLetter: { id: string } }>(DISCARD, { id: goneLetter.id }, team.token);
    assert.equal(discarded.data?.discardDeadLetter.id, goneLetter.id);
    assert.deepEqual(await deadLetters(team.token), []);
    assert.equal((await s.gql(DISCARD, { id: goneLetter.id }, team.token)).errors?.[0]?.extensions?.code, 'NOT_FOUND');
  });
});
