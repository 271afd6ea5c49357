import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, uniqueEmail, type TestServer } from '../../support/test-server.js';
import { startFaultySmtp, startFlakySlack, type FaultySmtp, type FlakySlack } from '../../support/faulty-peers.js';

const PASSWORD = 'a good long password';
const N = 8;
const BLACKHOLES = ['blackhole-1@atelier.test', 'blackhole-2@atelier.test'];

async function until<T>(what: string, probe: () => Promise<T | null> | T | null, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('delivery under faults: SMTP refuses 20% and hangs on 5%, Slack answers 429 then 500', () => {
  let s: TestServer;
  let smtp: FaultySmtp;
  let slack: FlakySlack;
  before(async () => {
    smtp = await startFaultySmtp({ refuseRate: 0.2, hangRate: 0.05, blackholes: BLACKHOLES, seed: 42 });
    slack = await startFlakySlack();
    s = await startTestServer(
      {
        MAIL_TRANSPORT: 'smtp',
        SMTP_URL: smtp.url,
        MAIL_TIMEOUT_MS: '300',
        SLACK_WEBHOOK_URL: slack.url,
        TEAM_EMAIL: 'team@atelier.test',
        JOB_BACKOFF_BASE_MS: '20',
        JOB_BACKOFF_MAX_MS: '300',
        JOB_MAX_ATTEMPTS: '8',
        PROFILE_MAIL_WINDOW_MS: '600000',
      },
      {
        readCode: (email) => {
          const m = smtp.accepted.find((x) => x.to.includes(email));
          return m ? (/\b(\d{6})\b/.exec(m.text)?.[1] ?? null) : null;
        },
      },
    );
  });
  after(async () => {
    await s.close();
    await smtp.stop();
    await slack.stop();
  });

  it('delivers every message exactly once in effect, loses none, and dead-letters exactly the permanent failures', async () => {
    const users: { email: string; token: string; profileEmail: string }[] = [];
    for (let i = 0; i < N; i++) {
      const email = uniqueEmail(`fault${i}`);
      assert.equal((await s.post('/auth/signup', { email, password: PASSWORD })).status, 201);
      const code = await until(`the code for ${email}`, () => {
        const m = smtp.accepted.find((x) => x.to.includes(email));
        return m ? (/\b(\d{6})\b/.exec(m.text)?.[1] ?? null) : null;
      });
      assert.equal((await s.post('/auth/verify', { email, code })).status, 200);
      const login = await s.post('/auth/login', { email, password: PASSWORD });
      // two profiles give an address the peer refuses for good: their confirmations must end as dead letters
      const profileEmail = i < BLACKHOLES.length ? BLACKHOLES[i]! : email;
      users.push({ email, token: String(login.body.accessToken), profileEmail });
    }
    for (const [i, u] of users.entries()) {
      const created = await s.gql<{ createProfile: { id: string } }>(
        'mutation($i: CreateProfileInput!) { createProfile(input: $i) { id } }',
        {
          i: {
            handle: `fault-${Date.now().toString(36)}-${i}`,
            firstName: 'F',
            lastName: `User ${i}`,
            email: u.profileEmail,
            visibility: 'PUBLIC',
          },
        },
        u.token,
      );
      assert.equal(created.errors, undefined, JSON.stringify(created.errors));
      const updated = await s.gql(
        'mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { version } }',
        { i: { id: created.data!.createProfile.id, expectedVersion: 1, availability: { status: 'AVAILABLE', daysPerWeek: 3 } } },
        u.token,
      );
      assert.equal(updated.errors, undefined);
    }

    // what must arrive: per user a code; per reachable profile a creation and an update summary;
    // per profile two team e-mails and two Slack posts (created, availability changed)
    const reachable = users.filter((u) => !BLACKHOLES.includes(u.profileEmail));
    const expectedMail = N + reachable.length * 2 + N * 2;
    const expectedSlack = N * 2;
    const team = await s.newUserInGroups(['team']);
    const expectedMailWithTeamMember = expectedMail + 1; // the team member's own verification code
    await until('every message', () =>
      smtp.distinct().length >= expectedMailWithTeamMember && new Set(slack.delivered).size >= expectedSlack ? true : null,
    );
    const dead = await until('the dead letters', async () => {
      const r = await s.gql<{
        listDeadLetters: { items: { handler: string; lastError: string; payload: string; attempts: number }[] };
      }>('{ listDeadLetters(limit: 100) { items { handler lastError payload attempts } } }', {}, team.token);
      const items = r.data?.listDeadLetters.items ?? [];
      return items.length >= BLACKHOLES.length * 2 ? items : null;
    });
    // settle, then check nothing more arrives or dies
    await new Promise((r) => setTimeout(r, 1_500));

    const distinct = smtp.distinct();
    assert.equal(distinct.length, expectedMailWithTeamMember, 'each expected e-mail once, none missing, none extra');
    assert.equal(new Set(slack.delivered).size, expectedSlack);
    for (const u of reachable) {
      const mine = distinct.filter((m) => m.to.includes(u.profileEmail));
      assert.equal(mine.length, 3, `code, creation and update summary for ${u.profileEmail}`);
    }
    assert.equal(distinct.filter((m) => m.to.includes('team@atelier.test')).length, N * 2);
    assert.deepEqual(dead.map((d) => d.handler).sort(), [
      'mail-profile-created',
      'mail-profile-created',
      'mail-profile-update-summary',
      'mail-profile-update-summary',
    ]);
    for (const d of dead) {
      assert.match(d.lastError, /550/);
      assert.equal(d.attempts, 1, 'a permanent refusal is not retried');
    }
    assert.ok(smtp.stats.refused > 0 && smtp.stats.hung > 0, `faults were injected: ${JSON.stringify(smtp.stats)}`);
    assert.ok(slack.answers.includes(429) && slack.answers.includes(500));
    const duplicates = smtp.accepted.length - distinct.length;
    assert.ok(duplicates >= 0);
  });
});
