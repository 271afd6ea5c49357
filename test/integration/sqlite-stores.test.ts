import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteProfileStore } from '../../src/modules/profiles/stores/sqlite-profile-store.js';
import { SqliteAccountStore } from '../../src/modules/identity/index.js';
import { profileStoreSuite } from '../conformance/profile-store.suite.js';
import { accountStoreSuite } from '../conformance/account-store.suite.js';
import { auditLogSuite } from '../conformance/audit-log.suite.js';
import { SqliteAuditLog } from '../../src/modules/identity/stores/sqlite-audit-log.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-sqlite-'));
profileStoreSuite('sqlite', () => Promise.resolve(new SqliteProfileStore(path.join(dir, 'profiles.db'))));
accountStoreSuite('sqlite', () => Promise.resolve(new SqliteAccountStore(path.join(dir, 'identity.db'))));
auditLogSuite('sqlite', () => Promise.resolve(new SqliteAuditLog(path.join(dir, 'audit.db'))));
