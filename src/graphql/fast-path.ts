import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import {
  Kind,
  OperationTypeNode,
  TypeInfo,
  getOperationAST,
  visit,
  visitWithTypeInfo,
  getVariableValues,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type VariableDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Principal } from '../modules/identity/index.js';
import type { ProfileStore } from '../modules/profiles/profile-store.js';
import { accessTo, type ProfileAccess } from '../modules/profiles/policy.js';
import type { Profile } from '../modules/profiles/model.js';

/**
 * The read fast path (docs/decisions/013-graphql-read-fast-path.md): the operations our own clients
 * send, registered as documents in `src/graphql/operations/*.graphql`, are parsed and validated once
 * at start (through Yoga's own parse and validate, so graphql-armor's limits apply) and compiled with
 * graphql-jit. A request naming one of them, by its exact text or by its SHA-256
 * (`extensions.persistedQuery.sha256Hash`, as Apollo's persisted queries send it), is executed
 * without Yoga's per-request pipeline.
 *
 * What clients see must not change, so the fast path only ever answers *successes*: anything it is
 * not sure to answer exactly as Yoga would is handed to Yoga untouched — an unknown document, a body
 * or Accept header Yoga would treat differently, variables that graphql-js's own coercion refuses,
 * a token the identity provider refuses, and any result with an error (NOT_FOUND, FORBIDDEN…). Only
 * queries are registered, so running such a request again through Yoga repeats a read, never a write.
 */

/** One registered document as read from disk. */
export interface TrustedDocument {
  /** Where it came from, for logs. */
  source: string;
  text: string;
}

interface TrustedOperation {
  name: string;
  text: string;
  sha256: string;
  variableDefinitions: readonly VariableDefinitionNode[];
  compiled: CompiledQuery;
  /** `getProfile(id: $id)` over plain profile fields only: its answer depends on the profile's version and the caller's access alone. */
  cacheable: boolean;
}

/** A profile's answers at one version, per access level (what the field rules let each caller see). */
interface CachedAnswers {
  version: number;
  ownerId: string;
  visibility: Profile['visibility'];
  bodies: Map<ProfileAccess, string>;
}

/**
 * Fields an answer may be cached with: `getProfile` and the profile's stored fields, which depend on
 * its version and the caller's access level only. Not `photo` or `cv` (signed, expiring URLs).
 */
const CACHEABLE_FIELDS: Record<string, readonly string[]> = {
  Query: ['getProfile'],
  Profile: [
    'id',
    'handle',
    'firstName',
    'lastName',
    'email',
    'phone',
    'headline',
    'bio',
    'location',
    'remote',
    'dailyRate',
    'currency',
    'availability',
    'skills',
    'languages',
    'links',
    'visibility',
    'internalNotes',
    'internalRating',
    'tags',
    'version',
    'createdAt',
    'updatedAt',
  ],
  Location: ['city', 'countryCode'],
  Availability: ['status', 'availableFrom', 'daysPerWeek'],
  Skill: ['name', 'level', 'years', 'isMain'],
  Language: ['code', 'level'],
  Link: ['type', 'url'],
};

/** True when the document reads `getProfile(id: $id)` and nothing but CACHEABLE_FIELDS. */
function isCacheable(schema: GraphQLSchema, document: DocumentNode): boolean {
  const op = getOperationAST(document);
  const root = op?.selectionSet.selections;
  if (!op || root?.length !== 1) return false;
  const [field] = root;
  if (field?.kind !== Kind.FIELD || field.name.value !== 'getProfile' || field.alias || field.directives?.length) return false;
  const arg = field.arguments?.[0];
  if (
    field.arguments?.length !== 1 ||
    arg?.name.value !== 'id' ||
    arg.value.kind !== Kind.VARIABLE ||
    arg.value.name.value !== 'id'
  ) {
    return false;
  }
  let ok = true;
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType()?.name ?? '';
        if (node.name.value !== '__typename' && !CACHEABLE_FIELDS[parent]?.includes(node.name.value)) ok = false;
      },
      Directive() {
        ok = false;
      },
    }),
  );
  return ok;
}

export interface FastPathOptions {
  schema: GraphQLSchema;
  documents: readonly TrustedDocument[];
  /** Yoga's parse and validate (graphql-armor's token, depth, alias, directive and cost rules included). */
  parse(source: string): DocumentNode;
  validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[];
  /** Compile and execute registered operations here; false leaves every request to Yoga (GRAPHQL_FAST_PATH=off). */
  execute: boolean;
  /** The caller, as Yoga's context finds it; rejects when the token is refused. */
  principal(req: FastifyRequest): Promise<Principal | null>;
  /** The context Yoga builds for this request and caller. */
  context(req: FastifyRequest, principal: Principal | null): object;
  /** The profiles store the resolvers read: the answer cache checks versions there. */
  store: Pick<ProfileStore, 'get' | 'version'>;
  /** Profiles whose serialized answers are kept, per operation (least recently used go first); 0: no cache. */
  cacheEntries?: number;
  /** Where Yoga's Prometheus plugin registered its per-operation metrics. */
  registry: Registry;
  log: FastifyBaseLogger;
}

/** A response the fast path produced, exactly as Yoga would have: always 200. */
export interface FastResponse {
  /** Content-Type, and the CORS headers Yoga's default CORS settings give a request with an Origin. */
  headers: Record<string, string>;
  body: string;
}

/**
 * Yoga's default CORS answer (no `cors` option, @whatwg-node/server's useCors): the request's origin
 * reflected, with credentials. Requests with `Access-Control-Request-*` headers are left to Yoga.
 */
const corsHeaders = (origin: string): Record<string, string> => ({
  'access-control-allow-credentials': 'true',
  'access-control-allow-origin': origin,
  vary: 'Origin',
});

/** Every `*.graphql` file of `src/graphql/operations`, in name order. */
export function loadTrustedDocuments(dir: URL = new URL('./operations/', import.meta.url)): TrustedDocument[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => ({ source: f, text: fs.readFileSync(new URL(f, dir), 'utf8') }));
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

const BODY_KEYS = new Set(['query', 'variables', 'operationName', 'extensions']);

type Body = Record<string, unknown>;
const isPlainObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The persisted-query hash of a body's extensions; null without one; undefined when the extensions are not only that. */
function persistedHash(extensions: unknown): string | null | undefined {
  if (extensions === undefined || extensions === null) return null;
  if (!isPlainObject(extensions)) return undefined;
  const keys = Object.keys(extensions);
  if (keys.length === 0) return null;
  if (keys.length !== 1 || keys[0] !== 'persistedQuery') return undefined;
  const pq = extensions.persistedQuery;
  if (!isPlainObject(pq) || pq.version !== 1 || typeof pq.sha256Hash !== 'string') return undefined;
  return pq.sha256Hash;
}

// --- Yoga's choice of media type (graphql-yoga's use-result-processor.js and result-processor/accept.js) ---

const PROCESSORS = [
  { regular: false, mediaTypes: ['text/event-stream'] },
  { regular: false, mediaTypes: ['multipart/mixed'] },
  { regular: true, mediaTypes: ['application/graphql-response+json', 'application/json'] },
] as const;

function askedMediaTypes(accept: string): string[] {
  const out: string[] = [];
  for (const part of accept.replace(/\s/g, '').toLowerCase().split(',')) {
    const [mediaType, ...params] = part.split(';');
    if (mediaType === undefined) continue;
    const charset = params.find((p) => p.includes('charset=')) ?? 'charset=utf-8';
    if (charset === 'charset=utf-8') out.push(mediaType);
  }
  return out.reverse();
}

/** As Yoga's isMatchingMediaType(processorType, askedType): a wildcard in what the client asks matches. */
const matches = (processorType: string, asked: string): boolean => {
  const [pre, suf] = processorType.split('/');
  const [askedPre, askedSuf] = asked.split('/');
  return (askedPre === '*' || askedPre === pre) && (askedSuf === '*' || askedSuf === suf);
};

/** The media type Yoga answers a single result with for this Accept header, or null if not a plain JSON one (SSE, multipart, 406). */
export function yogaResultMediaType(accept: string | undefined): string | null {
  let chosen: { regular: boolean; type: string } | null = null;
  const asked = askedMediaTypes(accept || '*/*');
  // A client that accepts a stream (SSE, multipart) gets it from Yoga, whatever the result.
  for (const p of PROCESSORS) {
    for (const a of asked) {
      for (const type of p.mediaTypes) if (matches(type, a)) chosen = { regular: p.regular, type };
    }
  }
  return chosen?.regular ? chosen.type : null;
}

// -------------------------------------------------------------------------------------------------

export class GraphQLFastPath {
  private readonly byText = new Map<string, TrustedOperation>();
  private readonly byHash = new Map<string, TrustedOperation>();
  /** Accept header → content type, for the few headers clients really send (bounded). */
  private readonly contentTypes = new Map<string, string | null>();
  private readonly requests: Counter<'operationType' | 'operationName'>;
  private readonly duration: Histogram<'operationType' | 'operationName'>;
  /** Registered operations answered here (`served`) or handed to Yoga (`yoga`): how well the fast path does its job. */
  private readonly outcomes: Counter<'operationName' | 'outcome'>;
  /** `<operation>\n<profile id>` → its answers at the version last seen; a Map iterates oldest first. */
  private readonly answers = new Map<string, CachedAnswers>();
  private readonly cacheEntries: number;

  constructor(private readonly o: FastPathOptions) {
    const requests = o.registry.getSingleMetric('graphql_envelop_request');
    const duration = o.registry.getSingleMetric('graphql_envelop_request_duration');
    if (!(requests instanceof Counter) || !(duration instanceof Histogram)) {
      throw new Error('the GraphQL fast path needs the Prometheus plugin’s request counter and duration histogram');
    }
    this.requests = requests;
    this.duration = duration;
    this.outcomes = new Counter({
      name: 'graphql_fast_path_requests_total',
      help: 'Requests for registered GraphQL operations, answered by the fast path (served) or handed to Yoga (yoga)',
      labelNames: ['operationName', 'outcome'],
      registers: [o.registry],
    });
    this.cacheEntries = o.cacheEntries ?? 5_000;
    for (const d of o.documents) this.register(d);
  }

  /** The names of the operations registered, for logs and tests. */
  get operations(): string[] {
    return [...this.byText.values()].map((op) => op.name);
  }

  private register(d: TrustedDocument): void {
    let document: DocumentNode;
    let problems: string[];
    try {
      document = this.o.parse(d.text);
      problems = this.o.validate(this.o.schema, document).map((e) => e.message);
    } catch (err) {
      // graphql-armor's token limit throws from parse
      problems = [err instanceof Error ? err.message : String(err)];
      document = { kind: Kind.DOCUMENT, definitions: [] };
    }
    if (problems.length) {
      // Left to Yoga, which answers it with these errors: a deployment with lower limits stays consistent.
      this.o.log.warn({ operation: d.source, errors: problems }, 'registered GraphQL operation refused');
      return;
    }
    const operations = document.definitions.filter((x) => x.kind === Kind.OPERATION_DEFINITION);
    const op = operations.length === 1 ? getOperationAST(document) : null;
    if (!op || op.operation !== OperationTypeNode.QUERY || !op.name) {
      throw new Error(`${d.source}: a registered operation must be one named query`);
    }
    const compiled = compileQuery(this.o.schema, document, op.name.value, { customJSONSerializer: false });
    if (!isCompiledQuery(compiled)) throw new Error(`${d.source}: graphql-jit could not compile it`);
    const entry: TrustedOperation = {
      name: op.name.value,
      text: d.text,
      sha256: sha256Hex(d.text),
      variableDefinitions: op.variableDefinitions ?? [],
      compiled,
      cacheable: isCacheable(this.o.schema, document),
    };
    this.byText.set(entry.text, entry);
    this.byHash.set(entry.sha256, entry);
  }

  /**
   * The registered operation a POST body names, or undefined. A body with only the hash gets the
   * document's text put in, so that Yoga (which knows nothing of hashes) answers it as the same request.
   */
  private operationOf(body: Body): TrustedOperation | undefined {
    for (const k in body) if (!BODY_KEYS.has(k)) return undefined;
    const hash = persistedHash(body.extensions);
    if (hash === undefined) return undefined;
    const query = body.query;
    let op: TrustedOperation | undefined;
    if (typeof query === 'string') {
      op = this.byText.get(query);
      if (op && hash !== null && hash !== op.sha256) return undefined;
    } else if (query === undefined || query === null) {
      op = hash === null ? undefined : this.byHash.get(hash);
      if (op) body.query = op.text;
    }
    if (!op) return undefined;
    const name = body.operationName;
    if (name !== undefined && name !== null && name !== op.name) return undefined;
    return op;
  }

  private contentTypeFor(accept: string | undefined): string | null {
    const key = accept ?? '';
    let type = this.contentTypes.get(key);
    if (type === undefined) {
      const media = yogaResultMediaType(accept);
      type = media === null ? null : `${media}; charset=utf-8`;
      if (this.contentTypes.size < 64) this.contentTypes.set(key, type);
    }
    return type;
  }

  /**
   * Answers a `POST /graphql` request for a registered operation, or returns null for Yoga to answer
   * it (having put a hash-only request's document text in its body).
   */
  async serve(req: FastifyRequest): Promise<FastResponse | null> {
    if (req.method !== 'POST') return null;
    const body = req.body;
    if (!isPlainObject(body)) return null;
    const op = this.operationOf(body);
    if (!op || !this.o.execute) return null;
    const served = await this.tryServe(req, body, op);
    this.outcomes.inc({ operationName: op.name, outcome: served ? 'served' : 'yoga' });
    return served;
  }

  private async tryServe(req: FastifyRequest, body: Body, op: TrustedOperation): Promise<FastResponse | null> {
    if (req.url !== '/graphql') return null; // query strings: Yoga's
    const origin = req.headers.origin;
    if (
      req.headers['access-control-request-method'] !== undefined ||
      req.headers['access-control-request-headers'] !== undefined
    ) {
      return null;
    }
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) return null;
    const contentType = this.contentTypeFor(req.headers.accept);
    if (contentType === null) return null;
    const variables = body.variables ?? {};
    if (!isPlainObject(variables)) return null;
    // graphql-js's coercion, as Yoga's: a refusal is answered by Yoga with its code, message and path.
    const coerced = getVariableValues(this.o.schema, op.variableDefinitions, variables);
    if (coerced.errors) return null;
    let principal: Principal | null;
    try {
      principal = await this.o.principal(req);
    } catch {
      return null; // a refused token: Yoga answers UNAUTHENTICATED
    }
    const started = Date.now();
    const answer =
      op.cacheable && this.cacheEntries > 0
        ? await this.cachedAnswer(req, op, principal, variables, coerced.coerced.id)
        : await this.execute(req, op, principal, variables);
    if (answer === null) return null;
    const labels = { operationType: 'query', operationName: op.name };
    this.requests.inc(labels);
    this.duration.observe(labels, (Date.now() - started) / 1000);
    return {
      headers: origin === undefined ? { 'content-type': contentType } : { 'content-type': contentType, ...corsHeaders(origin) },
      body: answer,
    };
  }

  /** The answer's body, or null when it has errors (for Yoga to answer). */
  private async execute(
    req: FastifyRequest,
    op: TrustedOperation,
    principal: Principal | null,
    variables: Body,
  ): Promise<string | null> {
    const result = await op.compiled.query(undefined, this.o.context(req, principal), variables);
    return result.errors?.length || !result.data ? null : JSON.stringify({ data: result.data });
  }

  /**
   * The answer from the cache when the profile is still at the cached version (checked in the store on
   * every request, so an update is seen by every read that starts after it committed); otherwise
   * executed, and cached if the profile did not change meanwhile.
   */
  private async cachedAnswer(
    req: FastifyRequest,
    op: TrustedOperation,
    principal: Principal | null,
    variables: Body,
    id: unknown,
  ): Promise<string | null> {
    if (typeof id !== 'string') return this.execute(req, op, principal, variables);
    const key = `${op.name}\n${id}`;
    const version = await this.o.store.version(id);
    if (version === null) return null; // NOT_FOUND: Yoga's
    let entry = this.answers.get(key);
    if (entry?.version === version) {
      const hit = entry.bodies.get(accessTo(principal, entry));
      if (hit !== undefined) {
        this.answers.delete(key);
        this.answers.set(key, entry);
        return hit;
      }
    }
    // The profile as the resolver will read it; the answer is cached only if the version did not move
    // across the execution (versions only grow, so the resolver then read this very version).
    const profile = await this.o.store.get(id);
    const body = await this.execute(req, op, principal, variables);
    if (body === null || !profile || (await this.o.store.version(id)) !== profile.version) return body;
    if (entry?.version !== profile.version) {
      entry = { version: profile.version, ownerId: profile.ownerId, visibility: profile.visibility, bodies: new Map() };
    }
    entry.bodies.set(accessTo(principal, profile), body);
    this.answers.delete(key);
    this.answers.set(key, entry);
    while (this.answers.size > this.cacheEntries) {
      const oldest = this.answers.keys().next();
      if (oldest.done) break;
      this.answers.delete(oldest.value);
    }
    return body;
  }
}
