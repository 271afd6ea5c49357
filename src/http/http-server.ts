import type { Writable } from 'node:stream';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Config } from '../config/config.js';
import rateLimit from '@fastify/rate-limit';
import { AppError, ErrorCode } from '../shared/errors.js';
import { notFoundHandler, problemErrorHandler } from './problem.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify with JSON logs carrying a request id on every line, problem+json errors and per-route rate limits. */
export async function createHttpServer(config: Config, logStream?: Writable): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.refreshToken', '*.accessToken'],
        censor: '[redacted]',
      },
      ...(logStream ? { stream: logStream } : {}),
    },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    },
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    bodyLimit: 1024 * 1024,
    // trusting X-Forwarded-For from anyone would let a client pick its own address, and so escape the
    // per-IP limits and forge the audit log: only the configured number of proxy hops is believed
    trustProxy: config.trustProxyHops > 0 ? (_address: string, hop: number) => hop < config.trustProxyHops : false,
    return503OnClosing: true,
  });
  app.addHook('onRequest', (req, reply, done) => {
    void reply.header('x-request-id', req.id);
    done();
  });
  // While draining, answer in-flight requests with `Connection: close`: a keep-alive client would
  // otherwise hold its socket, and the shutdown, open until the keep-alive timeout.
  let draining = false;
  app.addHook('preClose', (done) => {
    draining = true;
    done();
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (draining) void reply.header('connection', 'close');
    done(null, payload);
  });
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler(notFoundHandler);
  // Opt-in per route (`config.rateLimit`), keyed by client IP.
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) =>
      new AppError(ErrorCode.RATE_LIMITED, `Too many requests; try again in ${ctx.after}`, {
        retryAfterSeconds: Math.ceil(ctx.ttl / 1000),
      }),
  });
  return app;
}
