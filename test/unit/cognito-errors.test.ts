import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CodeMismatchException,
  CognitoIdentityProviderServiceException,
  ExpiredCodeException,
  InternalErrorException,
  InvalidPasswordException,
  LimitExceededException,
  NotAuthorizedException,
  PasswordResetRequiredException,
  ResourceNotFoundException,
  TooManyRequestsException,
  UserNotConfirmedException,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mapCognitoError, type CognitoOperation } from '../../src/modules/identity/cognito/cognito-errors.js';
import { AppError } from '../../src/shared/errors.js';

const meta = { $metadata: {} };
const mapped = (err: unknown, op: CognitoOperation) => {
  const out = mapCognitoError(err, op);
  assert.ok(out instanceof AppError, `expected an AppError for ${String(err)}`);
  return { code: out.code, message: out.message, details: out.details };
};

describe('Cognito errors mapped to Atelier codes', () => {
  it('gives one answer for a wrong password, an unknown user and (cognito-local) InvalidPassword at sign-in', () => {
    const answers = [
      new NotAuthorizedException({ ...meta, message: 'Incorrect username or password.' }),
      new UserNotFoundException({ ...meta, message: 'User does not exist.' }),
      new InvalidPasswordException({ ...meta, message: 'Invalid password' }),
    ].map((e) => mapped(e, 'signIn'));
    for (const a of answers)
      assert.deepEqual(a, { code: 'UNAUTHENTICATED', message: 'Incorrect e-mail or password', details: {} });
  });

  it('tells a disabled account apart only once Cognito itself does, and an unverified one as LocalIdentity does', () => {
    assert.equal(
      mapped(new NotAuthorizedException({ ...meta, message: 'User is disabled.' }), 'signIn').message,
      'This account is disabled',
    );
    assert.equal(
      mapped(new UserNotConfirmedException({ ...meta, message: 'User is not confirmed.' }), 'signIn').code,
      'ACCOUNT_NOT_VERIFIED',
    );
    assert.equal(mapped(new PasswordResetRequiredException({ ...meta, message: 'x' }), 'signIn').code, 'UNAUTHENTICATED');
  });

  it('answers a wrong code, an expired code and an unknown address alike when verifying or resetting', () => {
    for (const op of ['verify', 'resetPassword'] as const) {
      const answers = [
        new CodeMismatchException({ ...meta, message: 'Invalid verification code provided' }),
        new ExpiredCodeException({ ...meta, message: 'Invalid code provided, please request a code again.' }),
        new UserNotFoundException({ ...meta, message: 'User does not exist.' }),
        new NotAuthorizedException({ ...meta, message: 'User cannot be confirmed.' }),
      ].map((e) => mapped(e, op));
      for (const a of answers) {
        assert.deepEqual(a, {
          code: 'BAD_USER_INPUT',
          message: 'The code is invalid or has expired',
          details: { fields: [{ path: 'code', message: 'The code is invalid or has expired' }] },
        });
      }
    }
  });

  it('maps a taken address to CONFLICT on email, a weak password to BAD_USER_INPUT on the password', () => {
    assert.deepEqual(
      mapped(new UsernameExistsException({ ...meta, message: 'An account with the given email already exists.' }), 'signUp'),
      {
        code: 'CONFLICT',
        message: 'An account with this e-mail already exists',
        details: { field: 'email' },
      },
    );
    const weak = mapped(new InvalidPasswordException({ ...meta, message: 'Password not long enough' }), 'signUp');
    assert.equal(weak.code, 'BAD_USER_INPUT');
    assert.deepEqual(weak.details.fields, [{ path: 'password', message: 'Password not long enough' }]);
    assert.deepEqual(mapped(new InvalidPasswordException({ ...meta, message: 'too short' }), 'resetPassword').details.fields, [
      { path: 'newPassword', message: 'too short' },
    ]);
  });

  it('maps throttling to RATE_LIMITED, refresh refusals to UNAUTHENTICATED, a missing user in admin calls to NOT_FOUND', () => {
    assert.equal(mapped(new TooManyRequestsException({ ...meta, message: 'Rate exceeded' }), 'signIn').code, 'RATE_LIMITED');
    assert.equal(
      mapped(new LimitExceededException({ ...meta, message: 'Attempt limit exceeded' }), 'resetPassword').code,
      'RATE_LIMITED',
    );
    assert.equal(
      mapped(new NotAuthorizedException({ ...meta, message: 'Refresh Token has been revoked' }), 'refresh').code,
      'UNAUTHENTICATED',
    );
    assert.equal(mapped(new UserNotFoundException({ ...meta, message: 'User does not exist.' }), 'admin').code, 'NOT_FOUND');
    assert.equal(
      mapped(new NotAuthorizedException({ ...meta, message: 'Incorrect username or password.' }), 'changePassword').code,
      'BAD_USER_INPUT',
    );
  });

  it('reports outages, deployment mistakes and emulator gaps as such, never as the caller’s fault', () => {
    assert.equal(mapped(new InternalErrorException({ ...meta, message: 'boom' }), 'signIn').code, 'UNAVAILABLE');
    assert.equal(
      mapped(new ResourceNotFoundException({ ...meta, message: 'User pool client x does not exist.' }), 'signIn').code,
      'UNAVAILABLE',
    );
    const gap = new CognitoIdentityProviderServiceException({
      name: 'Unsupported',
      $fault: 'server',
      $metadata: {},
      message: 'Cognito Local unsupported feature: GlobalSignOut',
    });
    assert.equal(mapped(gap, 'signOut').code, 'NOT_SUPPORTED');
    // not a Cognito answer (a bug, a network error): left alone, to be logged as INTERNAL with its stack
    const bug = new TypeError('x is undefined');
    assert.equal(mapCognitoError(bug, 'signIn'), bug);
  });
});
