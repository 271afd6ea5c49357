import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteProfileMailState } from '../../src/modules/notifications/state/stores/sqlite-profile-mail-state.js';
import { profileMailStateSuite } from '../conformance/profile-mail-state.suite.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-notify-'));
profileMailStateSuite('sqlite', () => Promise.resolve(new SqliteProfileMailState(path.join(dir, 'notifications.db'))));
