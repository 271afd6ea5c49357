import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config/config.js';
import { trackConnection } from './subscriptions.js';
import { freePort } from './spawn-server.js';
import { buildApp } from '../../src/app.js';

export const ADMIN = { email: 'admin@atelier.test', password: 'admin password 1234' };

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> & { code?: string } }[];
}

export interface TestServer {
  url: string;
  dataDir: string;
  wsUrl: string;
  logLines: Record<string, unknown>[];
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<GraphQLResponse<T>>;
  post(pathname: string, body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** The 6-digit code in the newest e-mail to `email` whose subject matches, once the worker has sent it. */
  mailedCode(email: string, subject?: RegExp): Promise<string>;
  /** Messages in the development mailbox addressed to `email`, newest first. */
  mailTo(email: string): Promise<{ id: string; subject: string; to: string }[]>;
  /** Signs a new account up, verifies it with the mailed code and signs in; returns its id and tokens. */
  newUser(email?: string, password?: string): Promise<{ id: string; email: string; token: string; refreshToken: string }>;
  /** An account moved into the given groups by the admin, signed in again so its token carries them. */
  newUserInGroups(groups: string[]): Promise<{ id: string; email: string; token: string }>;
  adminToken(): Promise<string>;
  wsClient(token?: string | null): Client;
  close(): Promise<void>;
}

let counter = 0;
export const uniqueEmail = (prefix = 'user') => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}@atelier.test`;

/** Starts a real server on a free port with a throw-away data dir; env overrides select adapters. */
export interface TestServerOptions {
  /** Where verification codes are read from when mail does not go to the development mailbox (e.g. an SMTP peer). */
  readCode?: (email: string) => string | null;
  /** Runs on this data dir (kept at close: the caller owns it) instead of a fresh temporary one. */
  dataDir?: string;
}

export async function startTestServer(env: Record<string, string> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-test-'));
  // the port is chosen first so that the public URL (token issuer, signed blob URLs) is the real one
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    PASSWORD_HASH_COST: '10',
    DEMO_DATA: 'false',
    JOB_POLL_INTERVAL_MS: '20',
    JOB_BACKOFF_BASE_MS: '20',
    AUTH_MAIL_RATE_LIMIT: '100000',
    AUTH_RATE_LIMIT: '100000',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ...env,
  });
  const logLines: Record<string, unknown>[] = [];
  const logStream = new PassThrough();
  let pending = '';
  logStream.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) logLines.push(JSON.parse(l) as Record<string, unknown>);
  });
  const built = await buildApp(config, { logStream });
  await built.app.listen({ port, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  const clients: Client[] = [];

  const post = async (pathname: string, body: unknown, token?: string) => {
    const res = await fetch(url + pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };

  const signIn = async (email: string, password: string) => {
    const login = await post('/auth/login', { email, password });
    if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
    return login.body as { accessToken: string; refreshToken: string };
  };

  let adminTokenCache: string | undefined;
  const adminToken = async () => (adminTokenCache ??= (await signIn(ADMIN.email, ADMIN.password)).accessToken);

  const server: TestServer = {
    url,
    dataDir,
    wsUrl: url.replace('http', 'ws') + '/graphql',
    logLines,
    async gql(query, variables, token) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as Omit<GraphQLResponse, 'status'>;
      return { status: res.status, ...body } as GraphQLResponse<never>;
    },
    post,
    async mailTo(email) {
      const res = await fetch(`${url}/dev/mailbox/api/messages?to=${encodeURIComponent(email)}`);
      return ((await res.json()) as { items: { id: string; subject: string; to: string }[] }).items;
    },
    async mailedCode(email, subject) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const elsewhere = options.readCode?.(email);
        if (elsewhere) return elsewhere;
        if (options.readCode) {
          if (Date.now() > deadline) throw new Error(`no code mailed to ${email} within 10 s`);
          await new Promise((r) => setTimeout(r, 25));
          continue;
        }
        const found = (await server.mailTo(email)).find((m) => !subject || subject.test(m.subject));
        if (found) {
          const message = (await (await fetch(`${url}/dev/mailbox/api/messages/${found.id}`)).json()) as { text: string };
          const code = /\b(\d{6})\b/.exec(message.text)?.[1];
          if (code) return code;
        }
        if (Date.now() > deadline) throw new Error(`no code mailed to ${email} within 10 s`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async newUser(email = uniqueEmail(), password = 'a good long password') {
      const signup = await post('/auth/signup', { email, password });
      if (signup.status !== 201) throw new Error(`signup failed: ${JSON.stringify(signup.body)}`);
      const verified = await post('/auth/verify', { email, code: await server.mailedCode(email) });
      if (verified.status !== 200) throw new Error(`verification failed: ${JSON.stringify(verified.body)}`);
      const tokens = await signIn(email, password);
      return { id: String(signup.body.id), email, token: tokens.accessToken, refreshToken: tokens.refreshToken };
    },
    async newUserInGroups(groups) {
      const user = await server.newUser();
      const res = await fetch(`${url}/auth/admin/users/${user.id}/groups`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await adminToken()}` },
        body: JSON.stringify({ groups }),
      });
      if (res.status !== 200) throw new Error(`setting groups failed: ${await res.text()}`);
      const tokens = await signIn(user.email, 'a good long password');
      return { id: user.id, email: user.email, token: tokens.accessToken };
    },
    adminToken,
    wsClient(token) {
      const client = createClient({
        url: server.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: token ? { Authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      return trackConnection(client);
    },
    async close() {
      await Promise.allSettled(
        clients.map(async (c) => {
          await c.dispose();
        }),
      );
      await built.close();
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
