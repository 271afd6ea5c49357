import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteJobStore } from '../../src/modules/jobs/stores/sqlite-job-store.js';
import { jobStoreSuite } from '../conformance/job-store.suite.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-jobs-'));
jobStoreSuite('sqlite', () => Promise.resolve(new SqliteJobStore(path.join(dir, 'jobs.db'))));
