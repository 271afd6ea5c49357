import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { problemErrorHandler } from '../../../http/problem.js';
import { badInput } from '../../../shared/errors.js';
import { catalogRoutes, type CatalogRoutesOptions } from './catalog-routes.js';
import { EventStreams } from './import-events.js';

export type CatalogHttpOptions = Omit<CatalogRoutesOptions, 'streams'>;

const PROBLEM_RESPONSE = {
  description: 'An error: RFC 9457 problem with a stable `code` (and `errors[]` per field for BAD_USER_INPUT).',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

/** Every operation also documents its problem+json errors (the route schemas only declare successes). */
function withProblems(doc: Record<string, unknown>): Record<string, unknown> {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  for (const ops of Object.values(paths)) {
    for (const op of Object.values(ops)) {
      if (op && typeof op === 'object') op.responses = { ...op.responses, default: PROBLEM_RESPONSE };
    }
  }
  const components = (doc.components ?? {}) as { schemas?: Record<string, unknown> };
  return {
    ...doc,
    components: {
      ...components,
      schemas: {
        ...components.schemas,
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            code: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: { path: { type: 'string' }, message: { type: 'string' } },
                required: ['path', 'message'],
              },
            },
          },
        },
      },
    },
  };
}

/** Request validation failures become BAD_USER_INPUT with one entry per field; the rest is the shared mapping. */
function catalogErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body';
    const fields = err.validation.map((v) => ({
      path: [where, ...v.instancePath.split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'is invalid',
    }));
    problemErrorHandler(badInput(fields, 'Invalid request'), req, reply);
    return;
  }
  problemErrorHandler(err, req, reply);
}

/**
 * The catalogs REST API under /api/v1 (zod route schemas), its OpenAPI 3.1 document at /api/v1/openapi.json
 * generated from those schemas, and the interactive docs at /api/docs. Scoped: the zod compilers, the
 * multipart parser and the swagger collector only see these routes.
 */
export async function registerCatalogHttp(app: FastifyInstance, options: CatalogHttpOptions): Promise<void> {
  const streams = new EventStreams();
  app.addHook('preClose', (done) => {
    streams.endAll();
    done();
  });
  await app.register(async (scope) => {
    scope.setValidatorCompiler(validatorCompiler);
    scope.setSerializerCompiler(serializerCompiler);
    scope.setErrorHandler(catalogErrorHandler);
    await scope.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Atelier catalogs API',
          version: '1.0.0',
          description:
            'Partner product catalogs: partners, imports, search. Prices come in major units (`amount`) with their ' +
            'currency, and exactly in minor units (`amountMinor`). Errors are application/problem+json with a stable `code`.',
        },
        servers: [],
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
            apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
            apiKeyAuthorization: {
              type: 'apiKey',
              in: 'header',
              name: 'Authorization',
              description: '`ApiKey <secret>`',
            },
          },
        },
      },
      transform: jsonSchemaTransform,
      transformObject: (doc) => withProblems(jsonSchemaTransformObject(doc) as Record<string, unknown>),
    });
    await scope.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
    scope.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => scope.swagger());
    await scope.register(catalogRoutes, { ...options, streams, prefix: '/api/v1' });
  });
}
