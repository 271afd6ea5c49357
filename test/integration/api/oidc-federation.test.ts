import { oidcFederationSuite } from './oidc-federation.suite.js';

oidcFederationSuite('sqlite', () => Promise.resolve({}));
