import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { spawnServer } from '../../support/spawn-server.js';

const json = { 'content-type': 'application/json' };

/** The verification code the server's worker mailed (file transport, development mailbox). */
async function mailedCode(url: string, to: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { items } = (await (await fetch(`${url}/dev/mailbox/api/messages?to=${encodeURIComponent(to)}`)).json()) as {
      items: { id: string }[];
    };
    if (items[0]) {
      const { text } = (await (await fetch(`${url}/dev/mailbox/api/messages/${items[0].id}`)).json()) as { text: string };
      const code = /\b(\d{6})\b/.exec(text)?.[1];
      if (code) return code;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no code mailed to ${to}`);
}

describe('the server process', () => {
  it('on SIGTERM finishes in-flight requests, closes WebSockets with 1001 and exits 0', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-proc-'));
    // a costly KDF makes sign-ups slow enough to be in flight when the signal lands
    const srv = await spawnServer({ DATA_DIR: dataDir, DEMO_DATA: 'false', PASSWORD_HASH_COST: '15' });
    const closed = new Promise<number>((resolve) => {
      const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init' })));
      ws.on('close', (code) => resolve(code));
    });
    const client = createClient({ url: `${srv.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
    client.subscribe(
      { query: 'subscription { onCreateProfile { id } }' },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    await new Promise((r) => setTimeout(r, 300));
    const inFlight = Array.from({ length: 8 }, (_, i) =>
      fetch(`${srv.url}/auth/signup`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email: `inflight${i}@atelier.test`, password: 'a good long password' }),
      }),
    );
    // signal only once the server has received all eight: they are then in flight, not merely queued
    const received = () =>
      srv
        .output()
        .split('\n')
        .filter((l) => l.includes('"incoming request"') && l.includes('/auth/signup')).length;
    const until = Date.now() + 10_000;
    while (received() < 8 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    assert.equal(received(), 8);
    srv.child.kill('SIGTERM');
    const statuses = (await Promise.all(inFlight)).map((r) => r.status);
    assert.deepEqual(statuses, Array(8).fill(201));
    assert.equal(await closed, 1001);
    const exit = await srv.exited;
    assert.equal(exit.code, 0, srv.output());
    assert.match(srv.output(), /stopped cleanly/);
    await client.dispose();
  });

  it('loses no committed write to kill -9, and does not seed demo data twice', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-kill-'));
    // the token issuer is the public URL, which must stay the same across restarts (the port does not)
    const env = { DATA_DIR: dataDir, DEMO_DATA: 'true', PUBLIC_URL: 'http://atelier.test' };
    const first = await spawnServer(env);
    const signup = await fetch(`${first.url}/auth/signup`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'durable@atelier.test', password: 'a good long password' }),
    });
    assert.equal(signup.status, 201);
    const code = await mailedCode(first.url, 'durable@atelier.test');
    const verified = await fetch(`${first.url}/auth/verify`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'durable@atelier.test', code }),
    });
    assert.equal(verified.status, 200);
    const login = (await (
      await fetch(`${first.url}/auth/login`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email: 'durable@atelier.test', password: 'a good long password' }),
      })
    ).json()) as { accessToken: string };
    const created = (await (
      await fetch(`${first.url}/graphql`, {
        method: 'POST',
        headers: { ...json, authorization: `Bearer ${login.accessToken}` },
        body: JSON.stringify({
          query:
            'mutation { createProfile(input: { handle: "durable", firstName: "D", lastName: "K", email: "d@atelier.test", visibility: PUBLIC }) { id } }',
        }),
      })
    ).json()) as { data: { createProfile: { id: string } } };
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await spawnServer(env);
    try {
      const r = (await (
        await fetch(`${second.url}/graphql`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({
            query: '{ profileByHandle(handle: "durable") { id } listProfiles(limit: 100) { items { handle } } }',
          }),
        })
      ).json()) as { data: { profileByHandle: { id: string }; listProfiles: { items: { handle: string }[] } } };
      assert.equal(r.data.profileByHandle.id, created.data.createProfile.id);
      const handles = r.data.listProfiles.items.map((p) => p.handle);
      assert.equal(handles.filter((h) => h === 'camille-martin').length, 1, 'demo data seeded once');
      const relogin = await fetch(`${second.url}/auth/login`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email: 'durable@atelier.test', password: 'a good long password' }),
      });
      assert.equal(relogin.status, 200, 'the signing key survived the restart too');
      const me = await fetch(`${second.url}/auth/me`, { headers: { authorization: `Bearer ${login.accessToken}` } });
      assert.equal(me.status, 200, 'tokens issued before the crash still verify');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('refuses to start on a bad configuration, listing every problem', async () => {
    await assert.rejects(spawnServer({ PORT: 'x', PROFILE_STORE: 'mongo' }), (err: Error) => {
      assert.match(err.message, /Invalid configuration/);
      assert.match(err.message, /PROFILE_STORE/);
      return true;
    });
  });
});
