/**
 * Creates the DynamoDB tables of both stores for DYNAMODB_TABLE_PREFIX (idempotent):
 * `npm run db:create-tables`. Needs DYNAMODB_ENDPOINT, except on AWS where the SDK finds the endpoint.
 */
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { createDocumentClient, createTables } from '../shared/dynamodb.js';

function configForTables(): Config {
  try {
    // The tables serve the dynamodb stores, so validate as if both were selected: config.ts then
    // demands DYNAMODB_ENDPOINT outside AWS, whatever PROFILE_STORE/ACCOUNT_STORE say for the app.
    return loadConfig({ ...process.env, PROFILE_STORE: 'dynamodb', ACCOUNT_STORE: 'dynamodb' });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error('Invalid configuration:');
    for (const problem of err.problems) console.error(`  - ${problem}`);
    process.exit(1);
  }
}

const config = configForTables();
const { endpoint, region, tablePrefix } = config.dynamodb;
const client = createDocumentClient({ endpoint, region });
try {
  console.log(`DynamoDB ${endpoint ?? `(AWS, ${region})`}, table prefix "${tablePrefix}"`);
  const outcomes = await createTables(client, tablePrefix, (message) => console.log(`  ${message}`));
  const created = outcomes.filter((o) => o.created).length;
  console.log(`${created} created, ${outcomes.length - created} already present; all ACTIVE.`);
} catch (err) {
  console.error(`Could not create the tables: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  client.destroy();
}
