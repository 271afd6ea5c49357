import type { ApiKey, CatalogImport, ColumnMapping, ImportCounts, ImportStatus, Partner, RowError } from './model.js';

export interface ImportPage {
  items: CatalogImport[];
  nextToken: string | null;
}

/**
 * Port: partners, who belongs to them, their imports, saved column mappings and search API keys.
 * Adapters: `SqliteCatalogStore` (default, `$DATA_DIR/catalog.db`) and `DynamoCatalogStore`; both pass
 * `test/conformance/catalog-store.suite.ts`. Errors are `AppError`s with stable codes.
 */
export interface CatalogStore {
  /** CONFLICT with details.field "slug" when the slug is taken. */
  createPartner(partner: Partner): Promise<void>;
  getPartner(id: string): Promise<Partner | null>;
  /** NOT_FOUND when absent; CONFLICT field "slug" when the new slug is taken. */
  updatePartner(partner: Partner): Promise<void>;
  /** Every partner, by name. */
  listPartners(): Promise<Partner[]>;

  /** Makes the account a member of the partner (idempotent); an account belongs to at most one partner. */
  setMembership(accountId: string, partnerId: string | null): Promise<void>;
  /** Ids of the partner's member accounts, in id order. */
  listMembers(partnerId: string): Promise<string[]>;
  /** The partner the account manages, or null. */
  partnerOf(accountId: string): Promise<string | null>;

  createImport(imp: CatalogImport): Promise<void>;
  getImport(id: string): Promise<CatalogImport | null>;
  /**
   * Changes status, progress, counts, failure or timings. A transition out of a final status
   * (SUCCEEDED, FAILED, CANCELLED) is refused with CONFLICT.
   */
  updateImport(
    id: string,
    patch: Partial<
      Pick<CatalogImport, 'status' | 'progress' | 'counts' | 'failure' | 'startedAt' | 'finishedAt' | 'mapping' | 'format'>
    >,
  ): Promise<CatalogImport>;
  /** A partner's imports, newest first. */
  listImports(partnerId: string, limit: number, nextToken?: string | null): Promise<ImportPage>;
  /** Replaces the rejected rows recorded for an import (an import that reruns records them again). */
  setImportErrors(importId: string, errors: readonly RowError[]): Promise<void>;
  /** Rejected rows of an import in line order. */
  importErrors(importId: string): AsyncIterable<RowError>;

  saveMapping(partnerId: string, mapping: ColumnMapping): Promise<void>;
  getMapping(partnerId: string): Promise<ColumnMapping | null>;

  /** Stores a key with the sha256 hash of its secret. */
  createApiKey(key: ApiKey, secretHash: string): Promise<void>;
  /** The live (not revoked) key with this secret hash, or null. */
  apiKeyBySecretHash(secretHash: string): Promise<ApiKey | null>;
  listApiKeys(): Promise<ApiKey[]>;
  revokeApiKey(id: string, at: string): Promise<void>;

  ping(): Promise<void>;
  close(): Promise<void>;
}

export type { ImportCounts, ImportStatus };
