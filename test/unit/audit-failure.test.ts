import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent, AuditLog } from '../../src/modules/identity/audit-log.js';
import { LocalIdentity } from '../../src/modules/identity/local/local-identity.js';
import { SigningKeys } from '../../src/modules/identity/local/signing-keys.js';
import { SecretBox } from '../../src/modules/identity/local/secret-box.js';
import { isTokens } from '../../src/modules/identity/model.js';
import { SqliteAccountStore } from '../../src/modules/identity/stores/sqlite-account-store.js';
import { randomIds, systemClock } from '../../src/shared/clock.js';

describe('LocalIdentity when the audit log is down', () => {
  let dir: string;
  let store: SqliteAccountStore;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-audit-down-'));
    store = new SqliteAccountStore(path.join(dir, 'identity.db'));
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('still signs people in, and reports each event it could not record', async () => {
    const down: AuditLog = {
      record: () => Promise.reject(new Error('audit store unreachable')),
      list: () => Promise.reject(new Error('audit store unreachable')),
      close: () => Promise.resolve(),
    };
    const lost: { err: unknown; event: AuditEvent }[] = [];
    const identity = new LocalIdentity({
      store,
      keys: await SigningKeys.load(path.join(dir, 'keys'), 'http://localhost', 'atelier'),
      clock: systemClock,
      ids: randomIds,
      accessTokenTtlSeconds: 60,
      refreshTokenTtlDays: 1,
      passwordHashCost: 10,
      codeResendIntervalMs: 0,
      audit: down,
      secrets: SecretBox.load(path.join(dir, 'keys')),
      onAuditError: (err, event) => lost.push({ err, event }),
    });
    await identity.provisionAccount('down@example.com', 'a good long password', ['freelancer']);
    const tokens = await identity.signIn('down@example.com', 'a good long password', { ip: '192.0.2.1' });
    assert.ok(isTokens(tokens));
    assert.equal(tokens.tokenType, 'Bearer');
    assert.deepEqual(
      lost.map((l) => [l.event.type, l.event.ip, (l.err as Error).message]),
      [['sign_in_succeeded', '192.0.2.1', 'audit store unreachable']],
    );
  });
});
