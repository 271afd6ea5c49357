import { AppError, ErrorCode, badInput, notFound, unauthenticated } from '../../../shared/errors.js';

/** What the adapter was doing: the same Cognito exception means different things in different flows. */
export type CognitoOperation =
  'signUp' | 'verify' | 'resetPassword' | 'signIn' | 'refresh' | 'signOut' | 'changePassword' | 'token' | 'admin';

/** The answers LocalIdentity gives, word for word, so a client cannot tell the providers (or accounts) apart. */
export const INVALID_CREDENTIALS = 'Incorrect e-mail or password';
export const INVALID_CODE = 'The code is invalid or has expired';
const DISABLED = 'This account is disabled';

/** Exceptions of a Cognito response (the SDK's `ServiceException`): a name and where the fault lies. */
interface ServiceFault {
  name: string;
  message: string;
  $fault?: 'client' | 'server';
}

const isServiceFault = (err: unknown): err is ServiceFault =>
  err instanceof Error && typeof (err as { $fault?: unknown }).$fault === 'string';

/** cognito-local answers operations it does not implement with HTTP 500 and this message. */
const isEmulatorGap = (err: ServiceFault) => /unsupported feature/i.test(err.message);

/** True for Cognito's answers about the request (unknown user, bad code, throttling), not for its outages. */
export const isClientFault = (err: unknown): boolean => isServiceFault(err) && err.$fault === 'client';

/** The Cognito exception name of `err` (e.g. `NotAuthorizedException`), or null for anything else. */
export function cognitoErrorName(err: unknown): string | null {
  return isServiceFault(err) ? err.name : null;
}

/**
 * Turns a Cognito exception into Atelier's stable codes, with the same answers LocalIdentity gives:
 * an unknown user and a wrong password are one message, an unknown address and a wrong code are one
 * message, so no answer reveals which addresses have an account. Errors that are not Cognito answers
 * (a bug, a network failure) are returned unchanged, to be logged with their stack as INTERNAL.
 */
export function mapCognitoError(err: unknown, op: CognitoOperation): unknown {
  if (err instanceof AppError || !isServiceFault(err)) return err;
  switch (err.name) {
    case 'TooManyRequestsException':
    case 'LimitExceededException':
    case 'TooManyFailedAttemptsException':
      return new AppError(ErrorCode.RATE_LIMITED, 'Too many attempts; try again later');
    case 'UsernameExistsException':
    case 'AliasExistsException':
      return new AppError(ErrorCode.CONFLICT, 'An account with this e-mail already exists', { field: 'email' });
    case 'CodeMismatchException':
    case 'ExpiredCodeException':
      return badInput([{ path: 'code', message: INVALID_CODE }], INVALID_CODE);
    case 'UserNotConfirmedException':
      return new AppError(ErrorCode.ACCOUNT_NOT_VERIFIED, 'Confirm your e-mail address with the code we sent you first');
    case 'PasswordResetRequiredException':
      return unauthenticated('Reset your password with the "forgot password" link first');
    case 'InvalidPasswordException':
      // cognito-local answers a wrong password at sign-in this way (Cognito says NotAuthorizedException)
      if (op === 'signIn') return unauthenticated(INVALID_CREDENTIALS);
      return badInput(
        [{ path: op === 'signUp' ? 'password' : 'newPassword', message: err.message || 'does not meet the password policy' }],
        'The password does not meet the policy',
      );
    case 'UserNotFoundException':
    case 'NotAuthorizedException':
      return notAuthorized(err, op);
    case 'InvalidParameterException':
      if (op === 'verify' || op === 'resetPassword') return badInput([{ path: 'code', message: INVALID_CODE }], INVALID_CODE);
      return badInput([{ path: '', message: err.message }]);
    case 'ResourceNotFoundException':
      // a missing pool, client or group is a deployment problem, not the caller's
      return new AppError(ErrorCode.UNAVAILABLE, 'The identity service is not configured as Atelier expects');
    default:
      if (isEmulatorGap(err))
        return new AppError(ErrorCode.NOT_SUPPORTED, 'The identity provider does not support this operation');
      if (err.$fault === 'server') return new AppError(ErrorCode.UNAVAILABLE, 'The identity service is unavailable; try again');
      return err;
  }
}

function notAuthorized(err: ServiceFault, op: CognitoOperation): AppError {
  const disabled = /disabled/i.test(err.message);
  switch (op) {
    case 'signIn':
      return unauthenticated(disabled ? DISABLED : INVALID_CREDENTIALS);
    case 'verify':
    case 'resetPassword':
      return badInput([{ path: 'code', message: INVALID_CODE }], INVALID_CODE);
    case 'refresh':
      return unauthenticated(disabled ? DISABLED : 'Session expired or signed out');
    case 'changePassword':
      return badInput([{ path: 'currentPassword', message: 'is not your current password' }], 'The current password is wrong');
    case 'admin':
      // a refused admin call means the server's own AWS credentials lack a permission
      return err.name === 'UserNotFoundException'
        ? notFound('User')
        : new AppError(ErrorCode.UNAVAILABLE, 'The identity service refused this server its admin operation');
    case 'signUp':
    case 'signOut':
    case 'token':
      return unauthenticated('Invalid or expired token');
  }
}
