import { accessToken, api, refresh } from './client';
import { ApiError, fromProblem, networkError } from './errors';

/** Types and calls of the catalog REST API (`/api/v1`, see docs/catalogs.md and /api/v1/openapi.json). */

export interface Price {
  amount: number;
  amountMinor: number;
  currency: string;
}
export interface Product {
  id: string;
  partnerId: string;
  sku: string;
  name: string;
  description: string | null;
  brand: string | null;
  category: string[];
  price: Price | null;
  imageUrls: string[];
  ean: string | null;
  stock: number | null;
  inStock: boolean | null;
  url: string | null;
  attributes: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}
export interface Hit {
  product: Product;
  highlights: { name: string; brand: string | null; description: string | null };
}
export interface FacetValue {
  value: string;
  count: number;
}
export interface PriceBucket {
  minMinor: number | null;
  maxMinor: number | null;
  count: number;
}
export interface SearchResult {
  items: Hit[];
  estimatedTotal: number;
  totalIsExact: boolean;
  facets: { brand?: FacetValue[]; category?: FacetValue[]; partner?: FacetValue[]; price?: PriceBucket[] };
  nextCursor: string | null;
}
export const SORTS = ['relevance', 'price_asc', 'price_desc', 'name', 'newest'] as const;
export type Sort = (typeof SORTS)[number];

export interface SearchParams {
  q: string;
  brand: string[];
  category: string;
  partner: string[];
  priceMin: string;
  priceMax: string;
  inStock: boolean;
  sort: Sort;
  cursor: string | null;
}

export function searchQueryString(p: SearchParams, limit = 20): string {
  const s = new URLSearchParams();
  s.set('q', p.q);
  if (p.brand.length) s.set('brand', p.brand.join(','));
  if (p.partner.length) s.set('partner', p.partner.join(','));
  if (p.category) s.set('category', p.category);
  if (p.priceMin) s.set('priceMin', p.priceMin);
  if (p.priceMax) s.set('priceMax', p.priceMax);
  if (p.inStock) s.set('inStock', 'true');
  s.set('sort', p.sort);
  s.set('facets', 'brand,category,partner,price');
  s.set('limit', String(limit));
  if (p.cursor) s.set('cursor', p.cursor);
  return s.toString();
}

export const searchProducts = (p: SearchParams, signal?: AbortSignal) =>
  api<SearchResult>(`/api/v1/products/search?${searchQueryString(p)}`, signal ? { signal } : {});
export const suggestProducts = (q: string, signal?: AbortSignal) =>
  api<{ items: { text: string; highlighted: string }[] }>(
    `/api/v1/products/suggest?q=${encodeURIComponent(q)}&limit=6`,
    signal ? { signal } : {},
  );
export const getProduct = (id: string) => api<Product>(`/api/v1/products/${encodeURIComponent(id)}`);

export interface Partner {
  id: string;
  slug: string;
  name: string;
  contactEmail: string;
  createdAt: string;
  updatedAt: string;
}
export type PartnerFields = Pick<Partner, 'slug' | 'name' | 'contactEmail'>;
export const listPartners = () => api<{ items: Partner[] }>('/api/v1/partners');
export const myPartner = () => api<Partner>('/api/v1/me/partner');
export const getPartner = (id: string) => api<Partner>(`/api/v1/partners/${encodeURIComponent(id)}`);
export const createPartner = (f: PartnerFields) => api<Partner>('/api/v1/partners', { body: f });
export const updatePartner = (id: string, f: Partial<PartnerFields>) =>
  api<Partner>(`/api/v1/partners/${encodeURIComponent(id)}`, { method: 'PATCH', body: f });
export const listMembers = async (partnerId: string): Promise<string[]> =>
  (await api<{ items: { accountId: string }[] }>(`/api/v1/partners/${encodeURIComponent(partnerId)}/members`)).items.map(
    (m) => m.accountId,
  );
export const addMember = (partnerId: string, accountId: string) =>
  api<null>(`/api/v1/partners/${encodeURIComponent(partnerId)}/members/${encodeURIComponent(accountId)}`, { method: 'PUT' });
export const removeMember = (partnerId: string, accountId: string) =>
  api<null>(`/api/v1/partners/${encodeURIComponent(partnerId)}/members/${encodeURIComponent(accountId)}`, {
    method: 'DELETE',
  });

export const MAPPING_FIELDS = [
  'sku',
  'name',
  'description',
  'brand',
  'price',
  'currency',
  'category',
  'image',
  'ean',
  'stock',
  'url',
  'attribute',
  'ignore',
] as const;
export type MappingField = (typeof MAPPING_FIELDS)[number];
export const getMapping = (partnerId: string) =>
  api<{ mapping: Record<string, string> | null }>(`/api/v1/partners/${encodeURIComponent(partnerId)}/mapping`);
export const saveMapping = (partnerId: string, mapping: Record<string, string>) =>
  api<{ mapping: Record<string, string> }>(`/api/v1/partners/${encodeURIComponent(partnerId)}/mapping`, {
    method: 'PUT',
    body: { mapping },
  });

export type ImportStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export interface CatalogImport {
  id: string;
  partnerId: string;
  createdBy: string;
  fileName: string;
  format: 'csv' | 'xlsx' | 'json' | 'ndjson' | null;
  sheet: string | null;
  mode: 'UPSERT' | 'REPLACE';
  dryRun: boolean;
  status: ImportStatus;
  progress: { phase: 'VALIDATING' | 'APPLYING' | null; rowsRead: number; rowsTotal: number | null };
  counts: { created: number; updated: number; unchanged: number; archived: number; rejected: number };
  failure: { code: string; message: string } | null;
  mapping: Record<string, string> | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  links: { self: string; errors: string; events: string; cancel: string };
}
export const isFinal = (s: ImportStatus) => s === 'SUCCEEDED' || s === 'FAILED' || s === 'CANCELLED';

export const listImports = (partnerId: string, nextToken: string | null) =>
  api<{ items: CatalogImport[]; nextToken: string | null }>(
    `/api/v1/partners/${encodeURIComponent(partnerId)}/imports?limit=20${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ''}`,
  );
export const getImport = (id: string) => api<CatalogImport>(`/api/v1/imports/${encodeURIComponent(id)}`);
export const cancelImport = (id: string) =>
  api<CatalogImport>(`/api/v1/imports/${encodeURIComponent(id)}/cancel`, { method: 'POST' });

/** An authorized fetch (bearer token, one refresh and retry on 401); network failures become NETWORK errors. */
async function authorizedFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const attempt = async (token: string | null) => {
    try {
      return await fetch(path, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw networkError();
    }
  };
  let res = await attempt(await accessToken());
  if (res.status === 401) {
    const fresh = await refresh();
    if (fresh) res = await attempt(fresh);
  }
  return res;
}

async function problemOf(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = JSON.parse(await res.text()) as unknown;
  } catch {
    // not JSON: the status decides
  }
  return fromProblem(
    res.status,
    body ?? { code: res.status === 413 ? 'TOO_LARGE' : res.status === 415 ? 'UNSUPPORTED_TYPE' : undefined },
  );
}

/**
 * Starts an import with a multipart upload. XHR, not fetch, for the upload progress; the bearer token goes in
 * the Authorization header (one refresh and retry on 401).
 */
export async function startImport(
  partnerId: string,
  file: File,
  options: { mode: 'UPSERT' | 'REPLACE'; dryRun: boolean },
  onProgress: (fraction: number) => void,
): Promise<CatalogImport> {
  const send = (token: string | null) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const form = new FormData();
      form.append('mode', options.mode);
      form.append('dryRun', String(options.dryRun));
      form.append('file', file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `/api/v1/partners/${encodeURIComponent(partnerId)}/imports`);
      xhr.setRequestHeader('accept', 'application/json');
      if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onProgress(e.loaded / e.total);
      };
      xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
      xhr.onerror = () => reject(networkError());
      xhr.send(form);
    });
  let res = await send(await accessToken());
  if (res.status === 401) {
    const fresh = await refresh();
    if (fresh) res = await send(fresh);
  }
  let body: unknown = null;
  try {
    body = JSON.parse(res.text) as unknown;
  } catch {
    // not JSON
  }
  if (res.status < 200 || res.status >= 300) {
    throw fromProblem(res.status, body ?? { code: res.status === 413 ? 'TOO_LARGE' : undefined });
  }
  onProgress(1);
  return body as CatalogImport;
}

/**
 * Follows an import's progress. EventSource cannot send an Authorization header, so the Server-Sent Events
 * stream is read with fetch and a streaming reader; when the stream breaks before the end, it falls back to
 * polling `GET /imports/{id}` every second. Resolves with the final import; `abort` stops following.
 */
export async function followImport(
  id: string,
  onUpdate: (imp: CatalogImport) => void,
  signal: AbortSignal,
): Promise<CatalogImport> {
  let last: CatalogImport | null = null;
  try {
    const res = await authorizedFetch(`/api/v1/imports/${encodeURIComponent(id)}/events`, {
      headers: { accept: 'text/event-stream' },
      signal,
    });
    if (!res.ok) throw await problemOf(res);
    if (res.body) {
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n/g, '\n');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trim();
          }
          if (!data || (event !== 'progress' && event !== 'end')) continue;
          last = JSON.parse(data) as CatalogImport;
          onUpdate(last);
          if (event === 'end') {
            await reader.cancel();
            return last;
          }
        }
      }
    }
  } catch (err) {
    if (signal.aborted) throw err;
    if (err instanceof ApiError && err.code !== 'NETWORK' && err.code !== 'UNAVAILABLE') throw err;
  }
  // the stream ended early (proxy, restart): poll until the import is over
  while (!signal.aborted && !(last && isFinal(last.status))) {
    last = await getImport(id);
    onUpdate(last);
    if (isFinal(last.status)) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (!last) throw new ApiError('INTERNAL', 'No import state');
  return last;
}

/** Downloads the rejected rows as a file (fetch with the bearer token, then a blob link). */
export async function downloadErrors(imp: CatalogImport): Promise<void> {
  const res = await authorizedFetch(imp.links.errors, { headers: { accept: 'text/csv' } });
  if (!res.ok) throw await problemOf(res);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `errors-${imp.fileName.replace(/\.[^.]+$/, '')}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The rejected rows, parsed from errors.csv (for the report's table). */
export async function importErrors(imp: CatalogImport, max = 50): Promise<{ line: string; column: string; reason: string }[]> {
  const res = await authorizedFetch(imp.links.errors, { headers: { accept: 'text/csv' } });
  if (!res.ok) throw await problemOf(res);
  const rows = parseCsv(await res.text());
  return rows.slice(1, max + 1).map(([line = '', column = '', reason = '']) => ({ line, column, reason }));
}

/** A small RFC 4180 reader (quoted cells, doubled quotes, CRLF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
  rateLimitPerMinute: number;
}
export const listApiKeys = () => api<{ items: ApiKey[] }>('/api/v1/api-keys');
export const issueApiKey = (name: string, rateLimitPerMinute?: number) =>
  api<{ key: ApiKey; secret: string }>('/api/v1/api-keys', {
    body: rateLimitPerMinute ? { name, rateLimitPerMinute } : { name },
  });
export const revokeApiKey = (id: string) => api<null>(`/api/v1/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' });
