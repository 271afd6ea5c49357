import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('configuration', () => {
  it('starts on embedded defaults with an empty environment', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.stores.profiles, 'sqlite');
    assert.equal(c.stores.accounts, 'sqlite');
    assert.equal(c.publicUrl, 'http://localhost:3000');
    assert.ok(c.dataDir.endsWith('data'));
    assert.equal(c.demoData, true);
    assert.equal(c.graphql.graphiql, true);
  });

  it('lists every invalid variable at once', () => {
    try {
      loadConfig({
        PORT: 'eighty',
        PROFILE_STORE: 'mongo',
        LOG_LEVEL: 'loud',
        ADMIN_EMAIL: 'admin@example.com',
        DEMO_DATA: 'maybe',
      });
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      const vars = err.problems.map((p) => p.split(':')[0]).sort();
      assert.deepEqual(vars, ['ADMIN_PASSWORD', 'DEMO_DATA', 'LOG_LEVEL', 'PORT', 'PROFILE_STORE']);
      assert.match(err.message, /PORT/);
    }
  });

  it('needs an endpoint for DynamoDB outside AWS, and lets the account store follow the profile store', () => {
    assert.throws(() => loadConfig({ PROFILE_STORE: 'dynamodb' }), /DYNAMODB_ENDPOINT/);
    const c = loadConfig({ PROFILE_STORE: 'dynamodb', DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' });
    assert.equal(c.stores.accounts, 'dynamodb');
    assert.equal(
      loadConfig({ PROFILE_STORE: 'dynamodb', ACCOUNT_STORE: 'sqlite', DYNAMODB_ENDPOINT: 'http://x:1' }).stores.accounts,
      'sqlite',
    );
  });

  it('turns GraphiQL off in production unless asked', () => {
    assert.equal(loadConfig({ NODE_ENV: 'production' }).graphql.graphiql, false);
    assert.equal(loadConfig({ NODE_ENV: 'production', GRAPHIQL: 'true' }).graphql.graphiql, true);
  });

  it('serves registered GraphQL operations on the fast path unless GRAPHQL_FAST_PATH=off', () => {
    assert.equal(loadConfig({}).graphql.fastPath, true);
    assert.equal(loadConfig({ GRAPHQL_FAST_PATH: 'off' }).graphql.fastPath, false);
    assert.throws(() => loadConfig({ GRAPHQL_FAST_PATH: 'maybe' }), ConfigError);
  });

  it('needs SMTP_URL when MAIL_TRANSPORT is smtp, and defaults mail to files with the Atelier sender', () => {
    assert.throws(() => loadConfig({ MAIL_TRANSPORT: 'smtp' }), /SMTP_URL: required when MAIL_TRANSPORT is smtp/);
    const smtp = loadConfig({ MAIL_TRANSPORT: 'smtp', SMTP_URL: 'smtps://user:pass@mail.example.com:465' });
    assert.equal(smtp.mail.smtpUrl, 'smtps://user:pass@mail.example.com:465');
    const c = loadConfig({ AWS_REGION: 'eu-west-1' });
    assert.deepEqual(c.mail, {
      transport: 'file',
      from: 'Atelier <no-reply@atelier.local>',
      smtpUrl: undefined,
      sesEndpoint: undefined,
      sesRegion: 'eu-west-1',
      timeoutMs: 10_000,
    });
    assert.deepEqual(c.notify, { slackWebhookUrl: undefined, teamEmail: undefined });
    assert.throws(() => loadConfig({ SMTP_URL: 'http://mail.example.com' }), /SMTP_URL/);
    assert.throws(
      () => loadConfig({ SMTP_URL: 'not a url' }),
      (err: Error) => err.name === 'ConfigError' && /SMTP_URL/.test(err.message),
    );
    assert.throws(() => loadConfig({ MAIL_FROM: 'Atelier <not-an-address>' }), /MAIL_FROM/);
    assert.throws(() => loadConfig({ TEAM_EMAIL: 'team' }), /TEAM_EMAIL/);
  });
});

describe('configuration of blob storage', () => {
  it('keeps files on the local file system by default, and needs a bucket for S3', () => {
    assert.deepEqual(loadConfig({ AWS_REGION: 'eu-west-1' }).blobs, {
      store: 'fs',
      bucket: undefined,
      endpoint: undefined,
      region: 'eu-west-1',
    });
    assert.throws(() => loadConfig({ BLOB_STORE: 's3' }), /S3_BUCKET: required when BLOB_STORE is s3/);
    const s3 = loadConfig({
      BLOB_STORE: 's3',
      S3_BUCKET: 'atelier-files',
      S3_ENDPOINT: 'http://127.0.0.1:4569',
      S3_REGION: 'us-east-1',
    });
    assert.deepEqual(s3.blobs, { store: 's3', bucket: 'atelier-files', endpoint: 'http://127.0.0.1:4569', region: 'us-east-1' });
    assert.throws(() => loadConfig({ BLOB_STORE: 'gcs' }), /BLOB_STORE/);
    assert.throws(() => loadConfig({ BLOB_STORE: 's3', S3_BUCKET: 'Not_A_Bucket' }), /S3_BUCKET/);
    assert.throws(() => loadConfig({ S3_ENDPOINT: 'not a url' }), /S3_ENDPOINT/);
  });

  it('keeps the local identity by default, and needs pool, client and region together for Cognito', () => {
    assert.deepEqual(loadConfig({}).identity, { provider: 'local', cognito: undefined });
    try {
      loadConfig({ AUTH_PROVIDER: 'cognito', COGNITO_ENDPOINT: 'not a url' });
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      const vars = err.problems.map((p) => p.split(':')[0]).sort();
      assert.deepEqual(vars, ['COGNITO_CLIENT_ID', 'COGNITO_ENDPOINT', 'COGNITO_REGION', 'COGNITO_USER_POOL_ID']);
    }
    assert.throws(() => loadConfig({ AUTH_PROVIDER: 'okta' }), /AUTH_PROVIDER/);
    const c = loadConfig({
      AUTH_PROVIDER: 'cognito',
      COGNITO_USER_POOL_ID: 'eu-west-3_AbCdEf123',
      COGNITO_CLIENT_ID: '1example23456789',
      COGNITO_REGION: 'eu-west-3',
      COGNITO_ENDPOINT: 'http://127.0.0.1:9229/',
    });
    assert.deepEqual(c.identity, {
      provider: 'cognito',
      cognito: {
        userPoolId: 'eu-west-3_AbCdEf123',
        clientId: '1example23456789',
        region: 'eu-west-3',
        endpoint: 'http://127.0.0.1:9229',
        clientSecret: undefined,
      },
    });
  });

  it('reads OpenID Connect providers from OIDC_PROVIDERS and OIDC_<NAME>_*, listing every problem', () => {
    const c = loadConfig({
      OIDC_PROVIDERS: 'google, Acme',
      OIDC_GOOGLE_ISSUER: 'https://accounts.google.com',
      OIDC_GOOGLE_CLIENT_ID: 'gid',
      OIDC_GOOGLE_CLIENT_SECRET: 'gsecret',
      OIDC_ACME_ISSUER: 'http://127.0.0.1:9999',
      OIDC_ACME_CLIENT_ID: 'aid',
      OIDC_ACME_CLIENT_SECRET: 'asecret',
      OIDC_ACME_LABEL: 'Acme SSO',
      OIDC_ACME_SCOPES: 'openid email',
    });
    assert.deepEqual(c.oidcProviders, [
      {
        id: 'google',
        label: 'google',
        issuer: 'https://accounts.google.com',
        clientId: 'gid',
        clientSecret: 'gsecret',
        scopes: 'openid email profile',
      },
      {
        id: 'acme',
        label: 'Acme SSO',
        issuer: 'http://127.0.0.1:9999',
        clientId: 'aid',
        clientSecret: 'asecret',
        scopes: 'openid email',
      },
    ]);
    assert.deepEqual(loadConfig({}).oidcProviders, []);
    try {
      loadConfig({
        PORT: 'x',
        OIDC_PROVIDERS: 'corp,bad-name',
        OIDC_CORP_ISSUER: 'http://idp.example.com',
        OIDC_CORP_SCOPES: 'email',
      });
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      const vars = err.problems.map((p) => p.split(':')[0]).sort();
      assert.deepEqual(vars, [
        'OIDC_CORP_CLIENT_ID',
        'OIDC_CORP_CLIENT_SECRET',
        'OIDC_CORP_ISSUER',
        'OIDC_CORP_SCOPES',
        'OIDC_PROVIDERS',
        'PORT',
      ]);
      assert.match(err.message, /must be an https URL/);
    }
  });

  it('needs OPENSEARCH_URL for the OpenSearch index, and names its indexes with OPENSEARCH_INDEX', () => {
    assert.throws(() => loadConfig({ SEARCH_INDEX: 'opensearch' }), /OPENSEARCH_URL: required/);
    const c = loadConfig({ SEARCH_INDEX: 'opensearch', OPENSEARCH_URL: 'https://u:p@search.example:9200' });
    assert.equal(c.catalog.searchIndex, 'opensearch');
    assert.equal(c.catalog.openSearchIndexPrefix, 'atelier_');
    assert.equal(loadConfig({ OPENSEARCH_INDEX: 'staging-' }).catalog.openSearchIndexPrefix, 'staging-');
    assert.throws(() => loadConfig({ OPENSEARCH_INDEX: 'Upper' }), /OPENSEARCH_INDEX/);
    assert.throws(() => loadConfig({ OPENSEARCH_INDEX: '_hidden' }), /OPENSEARCH_INDEX/);
    // The embedded index tails the SQLite store's change feed: a DynamoDB catalog needs OpenSearch.
    assert.throws(
      () => loadConfig({ CATALOG_STORE: 'dynamodb', DYNAMODB_ENDPOINT: 'http://x:1' }),
      /SEARCH_INDEX: must be opensearch when CATALOG_STORE is dynamodb/,
    );
  });
});
