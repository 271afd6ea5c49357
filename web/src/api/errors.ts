/** The server's stable error codes (src/shared/errors.ts), plus the client's own NETWORK for an unreachable server. */
export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'ACCOUNT_NOT_VERIFIED',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'UNSUPPORTED_TYPE',
  'TOO_LARGE',
  'UPLOAD_EXPIRED',
  'TOO_MANY_REJECTS',
  'MISSING_COLUMNS',
  'EMPTY_FILE',
  'QUERY_TOO_COMPLEX',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'UNAVAILABLE',
  'INTERNAL',
  'NETWORK',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldIssue {
  path: string;
  message: string;
}

/** Any failure of an API call, reduced to a code the UI turns into a human message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields: FieldIssue[] = [],
    readonly details: Record<string, unknown> = {},
    readonly status = 0,
  ) {
    super(message);
  }
}

const asCode = (c: unknown): ErrorCode => ((ERROR_CODES as readonly unknown[]).includes(c) ? (c as ErrorCode) : 'INTERNAL');

const asFields = (v: unknown): FieldIssue[] =>
  Array.isArray(v)
    ? v.flatMap((f: unknown) =>
        f && typeof f === 'object' && 'path' in f && 'message' in f ? [{ path: String(f.path), message: String(f.message) }] : [],
      )
    : [];

/** From an RFC 9457 problem body (REST routes). */
export function fromProblem(status: number, body: unknown): ApiError {
  const p = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const code = p.code !== undefined ? asCode(p.code) : status === 404 ? 'NOT_FOUND' : status >= 500 ? 'UNAVAILABLE' : 'INTERNAL';
  const { code: _c, title, errors, ...rest } = p;
  return new ApiError(code, typeof title === 'string' ? title : `HTTP ${status}`, asFields(errors), rest, status);
}

/** From a GraphQL `errors` array: the first error's code, every error's field issues. */
export function fromGraphQLErrors(status: number, errors: { message: string; extensions?: Record<string, unknown> }[]): ApiError {
  const first = errors[0];
  const ext = first?.extensions ?? {};
  const { code, fields: _f, ...rest } = ext;
  return new ApiError(
    asCode(code),
    first?.message ?? 'GraphQL error',
    errors.flatMap((e) => asFields(e.extensions?.fields)),
    rest,
    status,
  );
}

export const networkError = (): ApiError => new ApiError('NETWORK', 'The server cannot be reached');

/** An import's recorded failure (`{code, message}`) as an ApiError, for its human sentence. */
export const failureError = (failure: { code: string; message: string }): ApiError =>
  new ApiError(asCode(failure.code), failure.message);
