import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Account, AccountStore } from '../../src/modules/identity/index.js';
import type { IdentityDomainEvent } from '../../src/modules/identity/events.js';

const accountEvent = (a: Account, type: IdentityDomainEvent['type']): IdentityDomainEvent =>
  ({
    id: crypto.randomUUID(),
    type,
    aggregateId: a.id,
    occurredAt: nextTimestamp(),
    payload: { accountId: a.id, email: a.email, locale: a.locale, code: '123456', expiresAt: '2099-01-01T00:00:00.000Z' },
  }) as IdentityDomainEvent;
import { makeAccount, nextTimestamp } from '../support/fixtures.js';
import { rejectsWithCode } from '../support/assert-app-error.js';

/** The AccountStore contract, run against every adapter. */
export function accountStoreSuite(name: string, open: () => Promise<AccountStore>): void {
  describe(`AccountStore conformance: ${name}`, () => {
    let store: AccountStore;
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.close();
    });

    it('reads back an account by id and normalized e-mail', async () => {
      const a = makeAccount({ email: 'Mixed.Case@Example.COM', emailKey: 'mixed.case@example.com' });
      await store.createAccount(a, []);
      assert.deepEqual(await store.getAccount(a.id), a);
      assert.deepEqual(await store.getAccountByEmail('mixed.case@example.com'), a);
      assert.equal(await store.getAccount(crypto.randomUUID()), null);
      assert.equal(await store.getAccountByEmail('nobody@example.com'), null);
    });

    it('refuses a second account with the same e-mail key, even under concurrency', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () =>
          store.createAccount(makeAccount({ email: 'race@example.com', emailKey: 'race@example.com' }), []),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const err = await rejectsWithCode(
        store.createAccount(makeAccount({ email: 'RACE@example.com', emailKey: 'race@example.com' }), []),
        'CONFLICT',
      );
      assert.equal(err.details.field, 'email');
    });

    it('updates every mutable field: groups, password hash, flags, locale, pending codes, lockout, mfa', async () => {
      const a = makeAccount();
      await store.createAccount(a, []);
      const updated: Account = {
        ...a,
        groups: ['freelancer', 'team'],
        passwordHash: 'scrypt$new',
        disabled: true,
        emailVerified: true,
        locale: 'en',
        codes: { reset: { hash: 'h', expiresAt: '2099-01-01T00:00:00.000Z', attempts: 2, sentAt: nextTimestamp() } },
        lockout: { failures: 6, lockedUntil: '2031-01-01T00:00:00.000Z' },
        mfa: {
          totpSecret: 'enc-secret',
          pendingSecret: null,
          lastStep: 59_000_123,
          recoveryCodes: ['h1', 'h2'],
          enabledAt: nextTimestamp(),
        },
        updatedAt: nextTimestamp(),
      };
      await store.updateAccount(updated, []);
      assert.deepEqual(await store.getAccount(a.id), updated);
      await rejectsWithCode(store.updateAccount(makeAccount(), []), 'NOT_FOUND');
    });

    it('updates only from the expected updatedAt when given (compare-and-set), once under concurrency', async () => {
      const a = makeAccount();
      await store.createAccount(a, []);
      const writes = Array.from({ length: 5 }, (_, i) =>
        store.updateAccount({ ...a, mfa: { ...a.mfa, lastStep: i + 1 }, updatedAt: nextTimestamp() }, [], a.updatedAt),
      );
      const results = await Promise.allSettled(writes);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code?: string }).code, 'CONFLICT');
      await rejectsWithCode(store.updateAccount({ ...a, updatedAt: nextTimestamp() }, [], a.updatedAt), 'CONFLICT');
      await rejectsWithCode(store.updateAccount(makeAccount(), [], a.updatedAt), 'NOT_FOUND');
    });

    it('lists accounts newest first across pages', async () => {
      const created = [];
      for (let i = 0; i < 5; i++) {
        const a = makeAccount();
        await store.createAccount(a, []);
        created.push(a.id);
      }
      const seen: string[] = [];
      let page = await store.listAccounts(2);
      seen.push(...page.items.map((a) => a.id));
      while (page.nextToken) {
        page = await store.listAccounts(2, page.nextToken);
        seen.push(...page.items.map((a) => a.id));
      }
      const newestFirst = [...created].reverse();
      assert.deepEqual(seen.slice(0, 5), newestFirst);
      await rejectsWithCode(store.listAccounts(2, '%%%'), 'BAD_USER_INPUT');
    });

    it('rotates a session refresh hash only from the expected value, and revokes it', async () => {
      const a = makeAccount();
      await store.createAccount(a, []);
      const s = {
        id: crypto.randomUUID(),
        accountId: a.id,
        refreshHash: 'h1',
        createdAt: nextTimestamp(),
        expiresAt: '2099-01-01T00:00:00.000Z',
        revokedAt: null,
      };
      await store.createSession(s);
      assert.deepEqual(await store.getSession(s.id), s);
      assert.equal(await store.rotateSession(s.id, 'wrong', 'h2', s.expiresAt), false);
      assert.equal(await store.rotateSession(s.id, 'h1', 'h2', '2099-02-01T00:00:00.000Z'), true);
      assert.equal(await store.rotateSession(s.id, 'h1', 'h3', s.expiresAt), false);
      const rotated = await store.getSession(s.id);
      assert.equal(rotated?.refreshHash, 'h2');
      assert.equal(rotated?.expiresAt, '2099-02-01T00:00:00.000Z');
      await store.revokeSession(s.id, '2026-06-01T00:00:00.000Z');
      await store.revokeSession(s.id, '2026-07-01T00:00:00.000Z');
      assert.equal((await store.getSession(s.id))?.revokedAt, '2026-06-01T00:00:00.000Z');
      assert.equal(await store.rotateSession(s.id, 'h2', 'h4', s.expiresAt), false);
      assert.equal(await store.getSession(crypto.randomUUID()), null);
    });

    it('records events with account writes atomically and serves them to the relay', async () => {
      for (let b = await store.readOutbox(100); b.length; b = await store.readOutbox(100))
        await store.ackOutbox(b.map((e) => e.id));
      const a = makeAccount();
      const created = accountEvent(a, 'account.created');
      await store.createAccount(a, [created]);
      await rejectsWithCode(
        store.createAccount(makeAccount({ email: a.email, emailKey: a.emailKey }), [accountEvent(a, 'account.created')]),
        'CONFLICT',
      );
      const reset = accountEvent(a, 'account.password_reset_requested');
      await store.updateAccount({ ...a, updatedAt: nextTimestamp() }, [reset]);
      await rejectsWithCode(
        store.updateAccount(makeAccount(), [accountEvent(a, 'account.password_reset_requested')]),
        'NOT_FOUND',
      );
      assert.deepEqual(await store.readOutbox(10), [created, reset]);
      await store.ackOutbox([created.id, reset.id]);
      assert.deepEqual(await store.readOutbox(10), []);
    });

    it('revokes every live session of one account only', async () => {
      const a = makeAccount();
      const b = makeAccount();
      await store.createAccount(a, []);
      await store.createAccount(b, []);
      const session = (accountId: string) => ({
        id: crypto.randomUUID(),
        accountId,
        refreshHash: 'h',
        createdAt: nextTimestamp(),
        expiresAt: '2099-01-01T00:00:00.000Z',
        revokedAt: null,
      });
      const [a1, a2, b1] = [session(a.id), session(a.id), session(b.id)];
      for (const s of [a1, a2, b1]) await store.createSession(s);
      await store.revokeSession(a1.id, '2026-01-01T00:00:00.000Z');
      assert.equal(await store.revokeAccountSessions(a.id, '2026-02-01T00:00:00.000Z'), 1);
      assert.equal((await store.getSession(a1.id))?.revokedAt, '2026-01-01T00:00:00.000Z');
      assert.equal((await store.getSession(a2.id))?.revokedAt, '2026-02-01T00:00:00.000Z');
      assert.equal((await store.getSession(b1.id))?.revokedAt, null);
    });

    it('links an external identity once, and finds it by (provider, subject)', async () => {
      const a = makeAccount();
      await store.createAccount(a, []);
      const subject = crypto.randomUUID();
      const link = { provider: 'acme', subject, accountId: a.id, email: a.email, createdAt: nextTimestamp() };
      await store.linkFederatedIdentity(link);
      assert.deepEqual(await store.getFederatedLink('acme', subject), link);
      assert.equal(await store.getFederatedLink('other', subject), null);
      assert.equal(await store.getFederatedLink('acme', crypto.randomUUID()), null);
      const err = await rejectsWithCode(store.linkFederatedIdentity({ ...link, accountId: crypto.randomUUID() }), 'CONFLICT');
      assert.equal(err.details.field, 'subject');
      // the same subject at another provider is another identity
      await store.linkFederatedIdentity({ ...link, provider: 'other' });
    });

    it('hands a one-time grant out once, even to concurrent takers', async () => {
      const grant = {
        hash: crypto.randomUUID(),
        purpose: 'federated_sign_in' as const,
        accountId: crypto.randomUUID(),
        expiresAt: '2099-01-01T00:00:00.000Z',
        details: { method: 'federated', provider: 'acme' },
      };
      await store.putGrant(grant);
      const taken = await Promise.all(Array.from({ length: 5 }, () => store.takeGrant(grant.hash)));
      assert.deepEqual(
        taken.filter((g) => g !== null),
        [grant],
      );
      assert.equal(await store.takeGrant(grant.hash), null);
      assert.equal(await store.takeGrant(crypto.randomUUID()), null);
    });

    it('reads back settings, last write wins', async () => {
      const name = `policy-${crypto.randomUUID()}`;
      assert.equal(await store.getSetting(name), null);
      await store.putSetting(name, '{"a":1}', nextTimestamp());
      await store.putSetting(name, '{"a":2}', nextTimestamp());
      assert.equal(await store.getSetting(name), '{"a":2}');
    });

    it('answers ping', async () => {
      await store.ping();
    });
  });
}
