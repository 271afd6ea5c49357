import { profilesApiSuite } from './profiles-api.suite.js';

profilesApiSuite('sqlite', () => Promise.resolve({ PROFILE_STORE: 'sqlite' }));
