import { dynamoDbServerEnv } from '../../support/dynamodb-local.js';
import { oidcFederationSuite } from './oidc-federation.suite.js';

// The whole server — accounts on DynamoDB Local (links, grants, settings, compare-and-set) — started by the test itself.
oidcFederationSuite('dynamodb', dynamoDbServerEnv('oidc'));
