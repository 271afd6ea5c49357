import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import type { TestServer } from './test-server.js';

export interface Json {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A REST call to the catalogs API; JSON in and out (problem+json too). */
export async function api(
  server: TestServer,
  method: string,
  pathname: string,
  opts: { token?: string | undefined; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Json> {
  const res = await fetch(server.url + pathname, {
    method,
    headers: {
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** Asserts an RFC 9457 problem with this status and code. */
export function assertProblem(res: Json, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.code, code);
}

export async function createPartner(server: TestServer, slug: string): Promise<string> {
  const res = await api(server, 'POST', '/api/v1/partners', {
    token: await server.adminToken(),
    body: { slug, name: `Partner ${slug}`, contactEmail: `${slug}@example.com` },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return String(res.body.id);
}

/** A signed-in account in the `partner` group, member of `partnerId`. */
export async function partnerAccount(server: TestServer, partnerId: string): Promise<{ id: string; token: string }> {
  const user = await server.newUserInGroups(['partner']);
  const res = await api(server, 'PUT', `/api/v1/partners/${partnerId}/members/${user.id}`, {
    token: await server.adminToken(),
  });
  assert.equal(res.status, 204, JSON.stringify(res.body));
  return user;
}

export interface ImportBody {
  id: string;
  status: string;
  counts: { created: number; updated: number; unchanged: number; archived: number; rejected: number };
  progress: { phase: string | null; rowsRead: number; rowsTotal: number | null };
  failure: { code: string; message: string } | null;
  [k: string]: unknown;
}

/** Uploads a file with the import request (multipart); returns the 202 body. */
export async function uploadImport(
  server: TestServer,
  token: string,
  partnerId: string,
  file: { name: string; bytes: Buffer | string },
  fields: Record<string, string> = {},
): Promise<Json> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append(
    'file',
    new Blob([new Uint8Array(typeof file.bytes === 'string' ? Buffer.from(file.bytes) : file.bytes)]),
    file.name,
  );
  const res = await fetch(`${server.url}/api/v1/partners/${partnerId}/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** Polls the import until it has ended. */
export async function waitForImport(server: TestServer, token: string, id: string, timeoutMs = 30_000): Promise<ImportBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api(server, 'GET', `/api/v1/imports/${id}`, { token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const imp = res.body as unknown as ImportBody;
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(imp.status)) return imp;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${imp.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Uploads and waits for the end. */
export async function runImport(
  server: TestServer,
  token: string,
  partnerId: string,
  file: { name: string; bytes: Buffer | string },
  fields: Record<string, string> = {},
): Promise<ImportBody> {
  const started = await uploadImport(server, token, partnerId, file, fields);
  assert.equal(started.status, 202, JSON.stringify(started.body));
  return waitForImport(server, token, String(started.body.id));
}

export interface Row {
  sku: string;
  name: string;
  brand?: string;
  category?: string;
  price?: string;
  currency?: string;
  stock?: string;
  description?: string;
  color?: string;
}
const COLUMNS = ['sku', 'name', 'brand', 'category', 'price', 'currency', 'stock', 'description', 'color'] as const;

export function csvOf(rows: readonly Row[]): string {
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => quote(r[c] ?? '')).join(','))].join('\n') + '\n';
}

export function jsonOf(rows: readonly Row[]): string {
  return JSON.stringify(rows.map((r) => Object.fromEntries(COLUMNS.filter((c) => r[c] !== undefined).map((c) => [c, r[c]]))));
}

export async function xlsxOf(rows: readonly Row[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Produits');
  ws.addRow([...COLUMNS]);
  for (const r of rows) ws.addRow(COLUMNS.map((c) => r[c] ?? ''));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function sampleRows(n: number, prefix = 'SKU'): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    sku: `${prefix}-${i + 1}`,
    name: `Poêle inox ${i + 1}`,
    brand: i % 2 ? 'Cristel' : 'Tefal',
    category: 'Maison > Cuisine > Poêles',
    price: `${10 + i}.50`,
    currency: 'EUR',
    stock: String(i % 3),
    description: `Une poêle numéro ${i + 1}`,
    color: i % 2 ? 'rouge' : 'noir',
  }));
}

/** Retries `check` until it stops throwing (the search index follows the store within a poll). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
