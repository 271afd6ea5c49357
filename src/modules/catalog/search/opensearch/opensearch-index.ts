import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, ErrorCode } from '../../../../shared/errors.js';
import type { Product } from '../../model.js';
import type { SearchIndex, SearchQuery, SearchResult, Suggestion } from '../search-index.js';
import {
  bulkActionsFor,
  bulkBody,
  bulkOutcome,
  chunkActions,
  indexDefinition,
  parseSearchResponse,
  parseSuggestResponse,
  searchRequest,
  suggestRequest,
  type BulkAction,
} from './requests.js';

export interface OpenSearchOptions {
  /** `https://user:password@host:9200`; credentials in the URL become a Basic Authorization header. */
  url: string;
  /** The products index is `<indexPrefix>products`. */
  indexPrefix: string;
  /**
   * `wait_for`: bulk writes resolve once searchable (what the port's callers expect: a product indexed by the job
   * is found by the next search). `false`: faster, visible after the next refresh (1 s by default).
   */
  refresh?: 'wait_for' | false;
  timeoutMs?: number;
  /** Sends of one bulk chunk when OpenSearch answers 429 for some of its items. */
  maxAttempts?: number;
  /** Waited before retrying a 429 (doubled on each attempt). */
  retryBaseMs?: number;
}

interface Connection {
  base: string;
  authorization: string | undefined;
}

/** Splits credentials out of the URL, so they never appear in a logged or thrown URL. */
export function parseConnection(url: string): Connection {
  const u = new URL(url);
  const authorization =
    u.username || u.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`
      : undefined;
  u.username = '';
  u.password = '';
  return { base: u.toString().replace(/\/$/, ''), authorization };
}

class OpenSearchError extends Error {
  override readonly name = 'OpenSearchError';
  constructor(
    message: string,
    readonly status: number,
    readonly type: string | undefined,
  ) {
    super(message);
  }
}

/**
 * SearchIndex on OpenSearch (or Elasticsearch-compatible) over its REST API with `fetch`. The index is created on
 * first use with the mapping of `indexDefinition()`; products are written with `_bulk` (archived ones deleted).
 * Fed on AWS by the `catalog.search-index` job handler from `catalog.products.changed` events.
 */
export class OpenSearchIndex implements SearchIndex {
  readonly indexName: string;
  private readonly conn: Connection;
  private readonly refresh: 'wait_for' | false;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private created: Promise<void> | null = null;

  constructor(options: OpenSearchOptions) {
    this.conn = parseConnection(options.url);
    this.indexName = `${options.indexPrefix}products`;
    this.refresh = options.refresh ?? 'wait_for';
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryBaseMs = options.retryBaseMs ?? 200;
  }

  async upsert(products: readonly Product[]): Promise<void> {
    await this.write(bulkActionsFor(products));
  }

  async remove(productIds: readonly string[]): Promise<void> {
    await this.write(productIds.map((id): BulkAction => ({ op: 'delete', id })));
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const body = searchRequest(query);
    await this.ensureIndex();
    return parseSearchResponse(query, await this.request('POST', `/${this.indexName}/_search`, body));
  }

  async suggest(q: string, limit: number): Promise<Suggestion[]> {
    const body = suggestRequest(q);
    if (!body || limit <= 0) return [];
    await this.ensureIndex();
    return parseSuggestResponse(q, limit, await this.request('POST', `/${this.indexName}/_search`, body));
  }

  async ping(): Promise<void> {
    await this.request('GET', '/_cluster/health');
  }

  async close(): Promise<void> {}

  /** Makes every write so far searchable now (tests; writes with `refresh: false` otherwise wait for the next refresh). */
  async refreshNow(): Promise<void> {
    await this.ensureIndex();
    await this.request('POST', `/${this.indexName}/_refresh`);
  }

  /** Deletes the index (tests, or a rebuild from the product store). */
  async dropIndex(): Promise<void> {
    try {
      await this.request('DELETE', `/${this.indexName}`);
    } catch (err) {
      if (!(err instanceof OpenSearchError && err.status === 404)) throw err;
    }
    this.created = null;
  }

  /** Creates the index with its settings and mappings unless it exists (idempotent, also across processes). */
  ensureIndex(): Promise<void> {
    this.created ??= this.createIndex().catch((err: unknown) => {
      this.created = null;
      throw err;
    });
    return this.created;
  }

  private async createIndex(): Promise<void> {
    try {
      await this.request('PUT', `/${this.indexName}`, indexDefinition());
    } catch (err) {
      if (err instanceof OpenSearchError && err.type === 'resource_already_exists_exception') return;
      throw err;
    }
  }

  private async write(actions: BulkAction[]): Promise<void> {
    if (!actions.length) return;
    await this.ensureIndex();
    const query = this.refresh ? `?refresh=${this.refresh}` : '';
    for (const chunk of chunkActions(actions)) {
      let pending = chunk;
      for (let attempt = 1; pending.length; attempt++) {
        const outcome = bulkOutcome(pending, await this.request('POST', `/_bulk${query}`, bulkBody(this.indexName, pending)));
        if (outcome.failed.length) {
          const first = outcome.failed[0]!;
          throw new Error(
            `OpenSearch refused ${outcome.failed.length} of ${pending.length} bulk actions (first: ${first.id}, ${first.status} ${first.reason})`,
          );
        }
        pending = outcome.retry;
        if (pending.length && attempt >= this.maxAttempts) {
          throw new Error(`OpenSearch still overloaded (429) for ${pending.length} bulk actions after ${attempt} attempts`);
        }
        if (pending.length) await sleep(this.retryBaseMs * 2 ** (attempt - 1));
      }
    }
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.conn.authorization) headers.authorization = this.conn.authorization;
    let payload: string | undefined;
    if (typeof body === 'string') {
      headers['content-type'] = 'application/x-ndjson';
      payload = body;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await fetch(`${this.conn.base}${path}`, {
        method,
        headers,
        body: payload,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new AppError(ErrorCode.UNAVAILABLE, 'The search service cannot be reached', {
        cause: err instanceof Error ? err.message : String(err),
      });
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      parsed = null;
    }
    if (!res.ok) {
      const error = parsed && typeof parsed === 'object' && 'error' in parsed ? parsed.error : null;
      const type =
        error && typeof error === 'object' && 'type' in error && typeof error.type === 'string' ? error.type : undefined;
      const reason =
        error && typeof error === 'object' && 'reason' in error && typeof error.reason === 'string'
          ? error.reason
          : text.slice(0, 200);
      throw new OpenSearchError(`OpenSearch ${method} ${path} answered ${res.status}: ${reason}`, res.status, type);
    }
    return parsed;
  }
}
