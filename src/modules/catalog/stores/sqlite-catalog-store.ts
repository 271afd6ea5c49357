import { decodeCursor, encodeCursor } from '../../../shared/cursor.js';
import { conflict, notFound } from '../../../shared/errors.js';
import { isUniqueViolation, type Sqlite } from '../../../shared/sqlite.js';
import type { CatalogStore, ImportPage } from '../catalog-store.js';
import type { ApiKey, CatalogImport, ColumnMapping, ImportStatus, Partner, RowError } from '../model.js';
import { openCatalogDb } from './catalog-db.js';

export const FINAL_IMPORT_STATUSES: readonly ImportStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

type ImportPatch = Parameters<CatalogStore['updateImport']>[1];

interface DocRow {
  doc: string;
}
interface ErrorRow {
  ord: number;
  line: number;
  col: string | null;
  reason: string;
}

/** Rejected rows are read back in pages of this size (bounded memory for large error lists). */
const ERROR_PAGE = 1000;

/** CatalogStore on `$DATA_DIR/catalog.db` (the file SqliteProductStore also uses). */
export class SqliteCatalogStore implements CatalogStore {
  private readonly db: Sqlite;
  private readonly q;

  constructor(file: string) {
    this.db = openCatalogDb(file);
    const db = this.db;
    this.q = {
      insertPartner: db.prepare<[string, string, string, string]>(
        'INSERT INTO partners (id, slug, name, doc) VALUES (?, ?, ?, ?)',
      ),
      updatePartner: db.prepare<[string, string, string, string]>('UPDATE partners SET slug = ?, name = ?, doc = ? WHERE id = ?'),
      partner: db.prepare<[string], DocRow>('SELECT doc FROM partners WHERE id = ?'),
      partners: db.prepare<[], DocRow>('SELECT doc FROM partners ORDER BY name COLLATE NOCASE, id'),
      setMember: db.prepare<[string, string]>(
        'INSERT INTO memberships (account_id, partner_id) VALUES (?, ?) ON CONFLICT (account_id) DO UPDATE SET partner_id = excluded.partner_id',
      ),
      removeMember: db.prepare<[string]>('DELETE FROM memberships WHERE account_id = ?'),
      partnerOf: db.prepare<[string], { partner_id: string }>('SELECT partner_id FROM memberships WHERE account_id = ?'),
      members: db.prepare<[string], { account_id: string }>(
        'SELECT account_id FROM memberships WHERE partner_id = ? ORDER BY account_id',
      ),
      insertImport: db.prepare<[string, string, string, string, string]>(
        'INSERT INTO imports (id, partner_id, created_at, status, doc) VALUES (?, ?, ?, ?, ?)',
      ),
      import: db.prepare<[string], DocRow>('SELECT doc FROM imports WHERE id = ?'),
      writeImport: db.prepare<[string, string, string]>('UPDATE imports SET status = ?, doc = ? WHERE id = ?'),
      firstImports: db.prepare<[string, number], DocRow>(
        'SELECT doc FROM imports WHERE partner_id = ? ORDER BY created_at DESC, id DESC LIMIT ?',
      ),
      nextImports: db.prepare<[string, string, string, string, number], DocRow>(
        `SELECT doc FROM imports WHERE partner_id = ? AND (created_at < ? OR (created_at = ? AND id < ?))
         ORDER BY created_at DESC, id DESC LIMIT ?`,
      ),
      clearErrors: db.prepare<[string]>('DELETE FROM import_errors WHERE import_id = ?'),
      addError: db.prepare<[string, number, number, string | null, string]>(
        'INSERT INTO import_errors (import_id, ord, line, col, reason) VALUES (?, ?, ?, ?, ?)',
      ),
      errors: db.prepare<[string, number, number], ErrorRow>(
        'SELECT ord, line, col, reason FROM import_errors WHERE import_id = ? AND ord > ? ORDER BY ord LIMIT ?',
      ),
      saveMapping: db.prepare<[string, string]>(
        'INSERT INTO mappings (partner_id, mapping) VALUES (?, ?) ON CONFLICT (partner_id) DO UPDATE SET mapping = excluded.mapping',
      ),
      mapping: db.prepare<[string], { mapping: string }>('SELECT mapping FROM mappings WHERE partner_id = ?'),
      insertKey: db.prepare<[string, string, string, string]>(
        'INSERT INTO api_keys (id, secret_hash, created_at, doc) VALUES (?, ?, ?, ?)',
      ),
      keyByHash: db.prepare<[string], DocRow>('SELECT doc FROM api_keys WHERE secret_hash = ? AND revoked_at IS NULL'),
      keys: db.prepare<[], DocRow>('SELECT doc FROM api_keys ORDER BY created_at DESC, id DESC'),
      key: db.prepare<[string], DocRow>('SELECT doc FROM api_keys WHERE id = ?'),
      revokeKey: db.prepare<[string, string, string]>('UPDATE api_keys SET revoked_at = ?, doc = ? WHERE id = ?'),
      ping: db.prepare('SELECT 1'),
    };
  }

  async createPartner(partner: Partner): Promise<void> {
    try {
      this.q.insertPartner.run(partner.id, partner.slug, partner.name, JSON.stringify(partner));
    } catch (err) {
      throw this.translate(err);
    }
  }

  async getPartner(id: string): Promise<Partner | null> {
    const r = this.q.partner.get(id);
    return r ? (JSON.parse(r.doc) as Partner) : null;
  }

  async updatePartner(partner: Partner): Promise<void> {
    let changes: number;
    try {
      changes = this.q.updatePartner.run(partner.slug, partner.name, JSON.stringify(partner), partner.id).changes;
    } catch (err) {
      throw this.translate(err);
    }
    if (changes !== 1) throw notFound('Partner');
  }

  async listPartners(): Promise<Partner[]> {
    return this.q.partners.all().map((r) => JSON.parse(r.doc) as Partner);
  }

  async setMembership(accountId: string, partnerId: string | null): Promise<void> {
    if (partnerId === null) this.q.removeMember.run(accountId);
    else this.q.setMember.run(accountId, partnerId);
  }

  async listMembers(partnerId: string): Promise<string[]> {
    return this.q.members.all(partnerId).map((r) => r.account_id);
  }

  async partnerOf(accountId: string): Promise<string | null> {
    return this.q.partnerOf.get(accountId)?.partner_id ?? null;
  }

  async createImport(imp: CatalogImport): Promise<void> {
    try {
      this.q.insertImport.run(imp.id, imp.partnerId, imp.createdAt, imp.status, JSON.stringify(imp));
    } catch (err) {
      throw isUniqueViolation(err) ? conflict('This import already exists', { field: 'id' }) : err;
    }
  }

  async getImport(id: string): Promise<CatalogImport | null> {
    const r = this.q.import.get(id);
    return r ? (JSON.parse(r.doc) as CatalogImport) : null;
  }

  async updateImport(id: string, patch: ImportPatch): Promise<CatalogImport> {
    return this.db
      .transaction((): CatalogImport => {
        const r = this.q.import.get(id);
        if (!r) throw notFound('Import');
        const current = JSON.parse(r.doc) as CatalogImport;
        if (FINAL_IMPORT_STATUSES.includes(current.status) && patch.status !== undefined && patch.status !== current.status) {
          throw conflict(`The import is already ${current.status}`, { importStatus: current.status });
        }
        const next: CatalogImport = { ...current, ...definedOnly(patch) };
        this.q.writeImport.run(next.status, JSON.stringify(next), id);
        return next;
      })
      .immediate();
  }

  async listImports(partnerId: string, limit: number, nextToken?: string | null): Promise<ImportPage> {
    const rows = nextToken
      ? (() => {
          const c = decodeCursor(nextToken, ['createdAt', 'id']);
          return this.q.nextImports.all(partnerId, c.createdAt, c.createdAt, c.id, limit + 1);
        })()
      : this.q.firstImports.all(partnerId, limit + 1);
    const items = rows.slice(0, limit).map((r) => JSON.parse(r.doc) as CatalogImport);
    const last = items.at(-1);
    return {
      items,
      nextToken: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }

  async setImportErrors(importId: string, errors: readonly RowError[]): Promise<void> {
    this.db
      .transaction(() => {
        this.q.clearErrors.run(importId);
        const sorted = [...errors].sort((a, b) => a.line - b.line);
        sorted.forEach((e, i) => this.q.addError.run(importId, i + 1, e.line, e.column, e.reason));
      })
      .immediate();
  }

  async *importErrors(importId: string): AsyncIterable<RowError> {
    let after = 0;
    for (;;) {
      const page = this.q.errors.all(importId, after, ERROR_PAGE);
      for (const r of page) yield { line: r.line, column: r.col, reason: r.reason };
      if (page.length < ERROR_PAGE) return;
      after = page[page.length - 1]?.ord ?? after;
    }
  }

  async saveMapping(partnerId: string, mapping: ColumnMapping): Promise<void> {
    this.q.saveMapping.run(partnerId, JSON.stringify(mapping));
  }

  async getMapping(partnerId: string): Promise<ColumnMapping | null> {
    const r = this.q.mapping.get(partnerId);
    return r ? (JSON.parse(r.mapping) as ColumnMapping) : null;
  }

  async createApiKey(key: ApiKey, secretHash: string): Promise<void> {
    try {
      this.q.insertKey.run(key.id, secretHash, key.createdAt, JSON.stringify(key));
    } catch (err) {
      throw isUniqueViolation(err) ? conflict('This API key already exists', { field: 'id' }) : err;
    }
  }

  async apiKeyBySecretHash(secretHash: string): Promise<ApiKey | null> {
    const r = this.q.keyByHash.get(secretHash);
    return r ? (JSON.parse(r.doc) as ApiKey) : null;
  }

  async listApiKeys(): Promise<ApiKey[]> {
    return this.q.keys.all().map((r) => JSON.parse(r.doc) as ApiKey);
  }

  async revokeApiKey(id: string, at: string): Promise<void> {
    this.db
      .transaction(() => {
        const r = this.q.key.get(id);
        if (!r) throw notFound('API key');
        const key = JSON.parse(r.doc) as ApiKey;
        if (key.revokedAt) return;
        this.q.revokeKey.run(at, JSON.stringify({ ...key, revokedAt: at }), id);
      })
      .immediate();
  }

  async ping(): Promise<void> {
    this.q.ping.get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private translate(err: unknown): unknown {
    if (isUniqueViolation(err, 'slug')) return conflict('This slug is taken', { field: 'slug' });
    if (isUniqueViolation(err, 'partners.id')) return conflict('This partner already exists', { field: 'id' });
    return err;
  }
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
