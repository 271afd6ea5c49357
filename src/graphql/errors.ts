import { GraphQLError } from 'graphql';
import { ErrorCode, httpStatusOf, isAppError, type FieldIssue } from '../shared/errors.js';

/** Messages of graphql-armor's rejections, which carry no code of their own. */
const LIMIT_MESSAGES = [/token limit/i, /depth limit/i, /aliases limit/i, /cost limit/i, /directives limit/i];

/** ValuesOfCorrectTypeRule's messages: a literal argument of the wrong type or an unknown enum value. */
const WRONG_VALUE = /does not exist in ".*" enum|cannot represent|Expected value of type|must be (a string|an integer)/;

/** `Variable "$input" got invalid value … at "input.skills[0].level"; …` → `skills.0.level`. */
function coercionField(message: string): FieldIssue | null {
  const m =
    /^Variable "\$(\w+)" got invalid value .*? at "([^"]+)"; (.*)$/s.exec(message) ??
    /^Variable "\$(\w+)" of required type .*?(was not provided)\.?$/s.exec(message);
  if (!m) return null;
  const [, variable, where, why] = m;
  if (why === undefined) return { path: variable ?? '', message: 'is required' };
  const path =
    (where ?? '')
      .replace(/\[(\d+)\]/g, '.$1')
      .split('.')
      .slice(1)
      .join('.') ||
    (variable ?? '');
  return { path, message: why };
}

/**
 * The one mapping from thrown errors to what GraphQL clients see: `extensions.code` always set,
 * details of AppErrors kept, anything unexpected reduced to INTERNAL without message or stack.
 */
export function toClientError(error: unknown, onUnexpected: (err: unknown) => void): GraphQLError {
  if (isAppError(error)) {
    // Thrown before execution (e.g. an invalid token while building the context).
    return new GraphQLError(error.message, {
      extensions: { code: error.code, ...error.details, http: { status: httpStatusOf[error.code] } },
    });
  }
  if (!(error instanceof GraphQLError)) {
    onUnexpected(error);
    return new GraphQLError('Internal server error', { extensions: { code: ErrorCode.INTERNAL } });
  }
  const original = error.originalError;
  if (isAppError(original)) {
    return new GraphQLError(original.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: { code: original.code, ...original.details },
    });
  }
  if (original && !(original instanceof GraphQLError)) {
    // A scalar's parse error is the client's; anything else is ours.
    if (!error.path && /must be (a string|an integer)/.test(original.message)) {
      return new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: ErrorCode.BAD_USER_INPUT } });
    }
    onUnexpected(original);
    return new GraphQLError('Internal server error', { path: error.path, extensions: { code: ErrorCode.INTERNAL } });
  }
  if (LIMIT_MESSAGES.some((r) => r.test(error.message))) {
    return new GraphQLError(error.message, { extensions: { ...error.extensions, code: ErrorCode.QUERY_TOO_COMPLEX } });
  }
  const given = error.extensions.code;
  const wrongValue = given === 'GRAPHQL_VALIDATION_FAILED' && WRONG_VALUE.test(error.message);
  if (typeof given === 'string' && given !== 'INTERNAL_SERVER_ERROR' && !wrongValue) return error;
  const field = coercionField(error.message);
  const code = LIMIT_MESSAGES.some((r) => r.test(error.message))
    ? ErrorCode.QUERY_TOO_COMPLEX
    : field || wrongValue || WRONG_VALUE.test(error.message)
      ? ErrorCode.BAD_USER_INPUT
      : ErrorCode.GRAPHQL_VALIDATION_FAILED;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, code, ...(field ? { fields: [field] } : {}) },
  });
}
