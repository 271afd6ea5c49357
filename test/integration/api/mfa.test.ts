import { mfaApiSuite } from './mfa-api.suite.js';

mfaApiSuite('sqlite', () => Promise.resolve({}));
