import { dynamoDbServerEnv } from '../../support/dynamodb-local.js';
import { profilesApiSuite } from './profiles-api.suite.js';

// The whole server — accounts and profiles on DynamoDB Local — started by the test itself.
profilesApiSuite('dynamodb', dynamoDbServerEnv('api'));
