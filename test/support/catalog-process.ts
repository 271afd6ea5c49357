import assert from 'node:assert/strict';
import type { ServerProcess } from './spawn-server.js';
import type { ImportBody } from './catalog-api.js';
import { ADMIN } from './test-server.js';

/** REST helpers for the catalog process tests, which drive a server in a child process (`spawnServer`). */
export async function call(srv: ServerProcess, token: string, method: string, pathname: string, body?: unknown) {
  const res = await fetch(srv.url + pathname, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The access token of the bootstrap admin (ADMIN_EMAIL/ADMIN_PASSWORD given to the child). */
export async function loginAdmin(srv: ServerProcess): Promise<string> {
  const res = await fetch(`${srv.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** Starts an import of `csv` by multipart upload; returns its id. */
export async function uploadCsv(srv: ServerProcess, token: string, partnerId: string, csv: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([csv]), 'catalog.csv');
  const res = await fetch(`${srv.url}/api/v1/partners/${partnerId}/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  assert.equal(res.status, 202, await res.clone().text());
  return ((await res.json()) as { id: string }).id;
}

/** Polls the import until `done` holds; throws with the last state after `ms`. */
export async function importUntil(
  srv: ServerProcess,
  token: string,
  id: string,
  done: (i: ImportBody) => boolean,
  ms: number,
): Promise<ImportBody> {
  const deadline = Date.now() + ms;
  for (;;) {
    const imp = (await call(srv, token, 'GET', `/api/v1/imports/${id}`)).body as unknown as ImportBody;
    if (done(imp)) return imp;
    if (Date.now() > deadline) throw new Error(`import ${id}: ${JSON.stringify(imp)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
