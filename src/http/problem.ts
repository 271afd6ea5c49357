import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorCode, httpStatusOf, isAppError } from '../shared/errors.js';

/** RFC 9457 problem body with Atelier's stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  errors?: { path: string; message: string }[];
  [extra: string]: unknown;
}

export function problemOf(err: AppError): Problem {
  const { fields, ...rest } = err.details;
  return {
    type: `https://atelier.dev/problems/${err.code.toLowerCase().replace(/_/g, '-')}`,
    title: err.message,
    status: httpStatusOf[err.code],
    code: err.code,
    ...(fields ? { errors: fields } : {}),
    ...rest,
  };
}

/** The REST edge's single error mapping: coded errors keep their code, anything else is INTERNAL. */
export function problemErrorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  let problem: Problem;
  if (isAppError(err)) {
    problem = problemOf(err);
  } else if ('statusCode' in err && typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    // Fastify's own client errors: malformed JSON, unsupported media type, body too large…
    const code = err.statusCode === 429 ? ErrorCode.RATE_LIMITED : ErrorCode.BAD_USER_INPUT;
    problem = { ...problemOf(new AppError(code, err.message)), status: err.statusCode };
  } else {
    req.log.error({ err }, 'unexpected error');
    problem = problemOf(new AppError(ErrorCode.INTERNAL, 'Internal server error'));
  }
  void reply.status(problem.status).type('application/problem+json').send(problem);
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  const problem = problemOf(new AppError(ErrorCode.NOT_FOUND, `No route for ${req.method} ${req.url.split('?')[0]}`));
  void reply.status(404).type('application/problem+json').send(problem);
}
