import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../support/test-server.js';

describe('the HTTP edge', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s.close();
  });

  it('reports liveness and readiness of every store', async () => {
    const live = await fetch(`${s.url}/healthz`);
    assert.equal(live.status, 200);
    const ready = await fetch(`${s.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), {
      status: 'ready',
      checks: {
        accounts: 'ok',
        profiles: 'ok',
        jobs: 'ok',
        mail: 'ok',
        blobs: 'ok',
        catalog: 'ok',
        products: 'ok',
        search: 'ok',
      },
    });
  });

  it('gives every request an id, echoes a caller-supplied one, and puts it on every log line of the request', async () => {
    const generated = await fetch(`${s.url}/healthz`);
    assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const id = `trace-${Date.now()}`;
    const res = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': id },
      body: JSON.stringify({ query: '{ getProfile(id: "nope") { id } }' }),
    });
    assert.equal(res.headers.get('x-request-id'), id);
    await res.text();
    await new Promise((r) => setTimeout(r, 50));
    const lines = s.logLines.filter((l) => l.requestId === id);
    assert.ok(lines.some((l) => l.msg === 'incoming request'));
    assert.ok(lines.some((l) => l.msg === 'request completed'));
    const requestLines = s.logLines.filter((l) => l.req !== undefined || l.res !== undefined);
    assert.ok(requestLines.length > 0 && requestLines.every((l) => typeof l.requestId === 'string'));
  });

  it('never writes passwords or tokens to the logs', async () => {
    const u = await s.newUser(undefined, 'secret sauce 12345');
    await s.post('/auth/refresh', { refreshToken: u.refreshToken });
    const all = JSON.stringify(s.logLines);
    assert.ok(!all.includes('secret sauce 12345'));
    assert.ok(!all.includes(u.refreshToken.split('.')[1]!));
    assert.ok(!all.includes(u.token));
  });

  it('exports Prometheus metrics with request counts and latency per route and per GraphQL operation', async () => {
    await s.gql('query MetricsProbe { listProfiles(limit: 1) { nextToken } }');
    const res = await fetch(`${s.url}/metrics`);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.match(text, /http_requests_total\{method="POST",route="\/graphql",status_code="200"\} \d+/);
    assert.match(text, /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/healthz"/);
    assert.match(text, /graphql_envelop_request_duration_bucket\{[^}]*operationName="MetricsProbe"[^}]*operationType="query"/);
    assert.match(text, /graphql_envelop_request\{[^}]*operationName="MetricsProbe"/);
  });

  it('serves the SDL it runs, and GraphiQL in development', async () => {
    const sdl = await (await fetch(`${s.url}/graphql/schema.graphql`)).text();
    assert.equal(sdl, fs.readFileSync(new URL('../../../src/graphql/schema/atelier.graphql', import.meta.url), 'utf8'));
    assert.match(sdl, /@aws_subscribe\(mutations: \["updateProfile"\]\)/);
    const ide = await fetch(`${s.url}/graphql`, { headers: { accept: 'text/html' } });
    assert.equal(ide.status, 200);
    const html = await ide.text();
    assert.match(html, /GraphiQL|graphiql/);
    assert.doesNotMatch(html, /unpkg\.com|cdn\.jsdelivr/, 'GraphiQL must not depend on a CDN');
  });

  it('answers unknown routes and methods with a problem document', async () => {
    const res = await fetch(`${s.url}/nowhere`);
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(((await res.json()) as { code: string }).code, 'NOT_FOUND');
  });

  it('refuses mutations over GET, as the GraphQL-over-HTTP spec requires', async () => {
    const q = encodeURIComponent('mutation { deleteProfile(input: { id: "x", expectedVersion: 1 }) { id } }');
    const res = await fetch(`${s.url}/graphql?query=${q}`);
    assert.equal(res.status, 405);
  });
});
