/**
 * Stable error codes shared by every module. Business code throws `AppError`;
 * the HTTP and GraphQL edges map the code once (see `http/problem.ts`, `graphql/errors.ts`).
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  /** The account exists and the password is right, but its e-mail address is not verified yet. */
  ACCOUNT_NOT_VERIFIED: 'ACCOUNT_NOT_VERIFIED',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  /** Files: the bytes are not a type accepted here (whatever the name or declared type said). */
  UNSUPPORTED_TYPE: 'UNSUPPORTED_TYPE',
  /** Files: over the size or pixel limit. */
  TOO_LARGE: 'TOO_LARGE',
  /** Files: the signed upload target expired before the upload. */
  UPLOAD_EXPIRED: 'UPLOAD_EXPIRED',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** GraphQL only: the document does not parse, or asks for what the schema does not have. */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  UNAVAILABLE: 'UNAVAILABLE',
  /** This deployment's identity provider does not offer the operation (e.g. a Cognito feature cognito-local lacks). */
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One invalid field: `path` is dotted from the input root, e.g. `skills.3.name`. */
export interface FieldIssue {
  path: string;
  message: string;
}

export interface AppErrorDetails {
  fields?: FieldIssue[];
  currentVersion?: number;
  field?: string;
  [key: string]: unknown;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: AppErrorDetails = {},
  ) {
    super(message);
  }
}

export const badInput = (fields: FieldIssue[], message = 'Invalid input'): AppError =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, { fields });
export const notFound = (what: string): AppError => new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
export const forbidden = (message = 'You are not allowed to do this'): AppError => new AppError(ErrorCode.FORBIDDEN, message);
export const unauthenticated = (message = 'Sign in first'): AppError => new AppError(ErrorCode.UNAUTHENTICATED, message);
export const conflict = (message: string, details: AppErrorDetails = {}): AppError =>
  new AppError(ErrorCode.CONFLICT, message, details);

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** HTTP status for each code: the one table REST and GraphQL-over-HTTP share. */
export const httpStatusOf: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  ACCOUNT_NOT_VERIFIED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UNSUPPORTED_TYPE: 415,
  TOO_LARGE: 413,
  UPLOAD_EXPIRED: 403,
  QUERY_TOO_COMPLEX: 400,
  GRAPHQL_PARSE_FAILED: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  UNAVAILABLE: 503,
  NOT_SUPPORTED: 501,
  INTERNAL: 500,
};
