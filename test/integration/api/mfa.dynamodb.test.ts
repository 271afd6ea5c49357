import { dynamoDbServerEnv } from '../../support/dynamodb-local.js';
import { mfaApiSuite } from './mfa-api.suite.js';

// The whole server — accounts on DynamoDB Local (links, grants, settings, compare-and-set) — started by the test itself.
mfaApiSuite('dynamodb', dynamoDbServerEnv('mfa'));
