import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type GraphQLResponse, type TestServer } from '../../support/test-server.js';
import { subscribe } from '../../support/subscriptions.js';

const codeOf = (r: GraphQLResponse) => r.errors?.[0]?.extensions?.code;

describe('GraphQL query limits (tight limits to exercise each one)', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({
      GRAPHQL_MAX_DEPTH: '2',
      GRAPHQL_MAX_ALIASES: '3',
      GRAPHQL_MAX_TOKENS: '200',
      GRAPHQL_MAX_COST: '15',
    });
  });
  after(async () => {
    await s.close();
  });

  it('accepts a query within every limit', async () => {
    assert.equal((await s.gql('{ listProfiles(limit: 1) { nextToken } }')).errors, undefined);
  });

  it('refuses a query deeper than GRAPHQL_MAX_DEPTH', async () => {
    assert.equal(codeOf(await s.gql('{ listProfiles { items { id } } }')), 'QUERY_TOO_COMPLEX');
  });

  it('refuses too many aliases, too many tokens and too high a cost, over POST and GET', async () => {
    const aliases = '{ a: myProfile { id } b: myProfile { id } c: myProfile { id } d: myProfile { id } }';
    assert.equal(codeOf(await s.gql(aliases)), 'QUERY_TOO_COMPLEX');
    const get = await fetch(`${s.url}/graphql?query=${encodeURIComponent(aliases)}`);
    assert.equal(codeOf((await get.json()) as GraphQLResponse), 'QUERY_TOO_COMPLEX');
    assert.equal(codeOf(await s.gql(`{ listProfiles { items { ${'id '.repeat(250)} } } }`)), 'QUERY_TOO_COMPLEX');
    const costly =
      '{ myProfile { id handle firstName lastName headline bio remote dailyRate currency visibility version createdAt updatedAt } }';
    assert.equal(codeOf(await s.gql(costly)), 'QUERY_TOO_COMPLEX');
  });

  it('applies the same limits to subscriptions over WebSocket', async () => {
    const client = s.wsClient(null);
    const deep = await subscribe(client, 'subscription { onCreateProfile { location { city } } }');
    await assert.rejects(deep.next(2_000), /QUERY_TOO_COMPLEX|depth/i);
    const aliased = await subscribe(s.wsClient(null), 'subscription { onCreateProfile { a: id b: id c: id d: id } }');
    await assert.rejects(aliased.next(2_000), /QUERY_TOO_COMPLEX|aliases/i);
  });

  it('never leaks a stack trace in an error', async () => {
    const r = await s.gql('{ listProfiles(limit: "x") { nextToken } }');
    assert.equal(codeOf(r), 'BAD_USER_INPUT');
    assert.doesNotMatch(JSON.stringify(r), /\s+at\s+\S+\s+\(/);
  });
});
