import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createPubSub, createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { GraphQLError, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import type { IdentityProvider, Principal } from '../modules/identity/index.js';
import type { ProfileDomainEvent, ProfilesDeps } from '../modules/profiles/index.js';
import { profileResolvers } from '../modules/profiles/graphql/profile-resolvers.js';
import { deadLetterResolvers } from '../modules/jobs/graphql/dead-letter-graphql.js';
import { fileResolvers } from '../modules/files/graphql/file-resolvers.js';
import type { FilesDeps } from '../modules/files/deps.js';
import type { DeadLetterDeps } from '../modules/jobs/graphql/dead-letter-resolvers.js';
import { awsScalars } from './scalars.js';
import { toClientError } from './errors.js';
import { useGraphQLMetrics } from './graphql-metrics.js';
import { sendFetchResponse } from './send-fetch-response.js';
import { GraphQLFastPath, loadTrustedDocuments } from './fast-path.js';
import { buildLocalSchema, loadAppSyncDeclarations, loadSdl } from './schema/load-schema.js';
import type { GraphQLContext } from './context.js';

export interface GraphQLServerDeps {
  config: Config;
  identity: IdentityProvider;
  profiles: Omit<ProfilesDeps, 'events'>;
  jobs: DeadLetterDeps;
  /** The files module, given the profiles port that publishes to this server's subscribers. */
  files: (profiles: ProfilesDeps) => FilesDeps;
  /** Called after each committed profile change (wakes the embedded job worker). */
  onCommit?: () => void;
  registry: Registry;
  log: FastifyBaseLogger;
}

interface ServerContext {
  req?: FastifyRequest;
  reply?: FastifyReply;
  /** Set on WebSocket operations: the principal verified at connection_init. */
  wsPrincipal?: Principal | null;
  wsLog?: FastifyBaseLogger;
}

/** The parts of Yoga's envelop pipeline a WebSocket operation goes through. */
interface EnvelopedOps {
  parse: (source: string) => DocumentNode;
  validate: (schema: GraphQLSchema, document: DocumentNode) => readonly GraphQLError[];
  contextFactory: () => unknown;
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
  schema: GraphQLSchema;
}

const bearer = (value: unknown): string | null => {
  if (typeof value !== 'string') return null;
  const m = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return m?.[1] ?? null;
};

/**
 * GraphQL over HTTP (GET/POST per the GraphQL-over-HTTP spec) and over WebSocket (graphql-ws),
 * both at /graphql, sharing one envelop pipeline so the same limits, auth and error mapping apply.
 */
export function registerGraphQL(app: FastifyInstance, deps: GraphQLServerDeps): { close(): Promise<void> } {
  const { config, identity, log } = deps;
  const sdl = loadSdl();
  // Validates that the SDL with AppSync's declarations is a complete schema before serving it.
  buildLocalSchema(sdl);
  const pubsub = createPubSub<{ profileEvents: [ProfileDomainEvent] }>();
  const profiles: ProfilesDeps = {
    ...deps.profiles,
    events: {
      publish: (e) => {
        pubsub.publish('profileEvents', e);
        deps.onCommit?.();
      },
    },
  };
  const profileEvents = { subscribe: () => pubsub.subscribe('profileEvents') };
  const files = deps.files(profiles);

  const principalOf = async (req: FastifyRequest): Promise<Principal | null> => {
    const token = bearer(req.headers.authorization);
    return token ? identity.verifyAccessToken(token) : null;
  };

  const contextOf = (principal: Principal | null, requestLog: FastifyBaseLogger): GraphQLContext => ({
    principal,
    profiles,
    profileEvents,
    deadLetters: deps.jobs,
    files,
    log: requestLog,
  });

  const onUnexpected = (err: unknown) => log.error({ err }, 'unexpected error in a GraphQL resolver');
  // Validation errors skip maskError; give them the same codes here (BAD_USER_INPUT, QUERY_TOO_COMPLEX).
  const codeValidationErrors: Plugin = {
    onValidate:
      () =>
      ({ result, setResult }) => {
        if (result.length) setResult(result.map((e) => toClientError(e, onUnexpected)));
      },
  };

  const yoga = createYoga<ServerContext, GraphQLContext>({
    schema: createSchema<GraphQLContext & ServerContext>({
      typeDefs: [loadAppSyncDeclarations(), sdl],
      resolvers: [profileResolvers, deadLetterResolvers, fileResolvers, awsScalars],
    }),
    graphqlEndpoint: '/graphql',
    graphiql: config.graphql.graphiql ? { title: 'Atelier GraphQL', subscriptionsProtocol: 'WS' } : false,
    // GraphiQL bundled into the page rather than fetched from a CDN: it works offline and behind strict networks.
    renderGraphiQL,
    landingPage: false,
    logging: {
      debug: (...a: unknown[]) => log.debug({ yoga: a }),
      info: (...a: unknown[]) => log.info({ yoga: a }),
      warn: (...a: unknown[]) => log.warn({ yoga: a }),
      error: (...a: unknown[]) => log.error({ yoga: a }),
    },
    // Unexpected errors become INTERNAL without message or stack; coded ones pass through.
    maskedErrors: {
      maskError: (error) => toClientError(error, onUnexpected),
    },
    context: async (initial): Promise<GraphQLContext> => {
      const principal = initial.req ? await principalOf(initial.req) : (initial.wsPrincipal ?? null);
      return contextOf(principal, initial.req?.log ?? initial.wsLog ?? log);
    },
    plugins: [
      EnvelopArmorPlugin({
        maxDepth: { n: config.graphql.maxDepth },
        maxAliases: { n: config.graphql.maxAliases },
        maxTokens: { n: config.graphql.maxTokens },
        maxDirectives: { n: 20 },
        costLimit: { maxCost: config.graphql.maxCost },
        blockFieldSuggestion: { enabled: config.env === 'production' },
      }),
      useGraphQLMetrics(deps.registry),
      codeValidationErrors,
    ],
  });

  // Registered read operations, compiled ahead and answered without Yoga's per-request pipeline when
  // they succeed (ADR 013); everything else, and every error, is Yoga's.
  const enveloped = yoga.getEnveloped({}) as EnvelopedOps;
  const fastPath = new GraphQLFastPath({
    schema: enveloped.schema,
    documents: loadTrustedDocuments(),
    parse: enveloped.parse,
    validate: enveloped.validate,
    execute: config.graphql.fastPath,
    principal: principalOf,
    context: (req, principal) => ({ req, ...contextOf(principal, req.log) }),
    store: deps.profiles.store,
    registry: deps.registry,
    log,
  });

  app.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    handler: async (req, reply) => {
      const fast = await fastPath.serve(req);
      if (fast) return reply.status(200).headers(fast.headers).send(fast.body);
      const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply });
      return sendFetchResponse(reply, response);
    },
  });
  app.get('/graphql/schema.graphql', (_req, reply) => reply.type('text/plain; charset=utf-8').send(sdl));

  // --- WebSocket subscriptions (graphql-ws protocol) on the same path ---
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  const wsLog = log.child({ transport: 'ws' });
  useServer<Record<string, unknown>, { principal: Principal | null }>(
    {
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const token = bearer(params.Authorization ?? params.authorization);
        if (!token) {
          ctx.extra.principal = null;
          return true;
        }
        try {
          ctx.extra.principal = await identity.verifyAccessToken(token);
          return true;
        } catch {
          return false; // closes with 4403 Forbidden
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const enveloped = yoga.getEnveloped({ wsPrincipal: ctx.extra.principal ?? null, wsLog }) as EnvelopedOps;
        let document: DocumentNode;
        try {
          document = enveloped.parse(payload.query);
          // graphql-armor may throw (rather than return) when a limit is exceeded
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length) return errors.map((e) => toClientError(e, onUnexpected));
        } catch (err) {
          return [toClientError(err instanceof GraphQLError ? err : new GraphQLError(String(err)), onUnexpected)];
        }
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        return args;
      },
      execute: (args) => (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
    },
    wss,
  );

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/graphql') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => wss.emit('connection', ws, req));
  };
  app.server.on('upgrade', onUpgrade);

  return {
    async close() {
      app.server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
