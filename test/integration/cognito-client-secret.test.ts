import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoIdentity } from '../../src/modules/identity/cognito/cognito-identity.js';
import { randomIds, systemClock } from '../../src/shared/clock.js';
import { startCognitoLocal, type CognitoLocal } from '../support/cognito-local.js';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.js';

/** What AWS documents: Base64(HMAC-SHA256(client secret, username + client id)). */
const expectedHash = (secret: string, username: string, clientId: string) =>
  createHmac('sha256', secret)
    .update(username + clientId)
    .digest('base64');

interface SentBody {
  SecretHash?: string;
  AuthFlow?: string;
  AuthParameters?: Record<string, string>;
}

/**
 * An app client with a secret: every public call must carry SECRET_HASH, keyed by the right username.
 * cognito-local does not check it, so a recording proxy in front of it reads what the adapter sent.
 */
describe('CognitoIdentity with an app client secret (COGNITO_CLIENT_SECRET)', () => {
  let c: CognitoLocal;
  let proxy: RecordingProxy;
  let identity: CognitoIdentity;
  let clientId: string;
  let secret: string;
  const sent = (): SentBody[] =>
    proxy.requests
      .filter((r) => r.method === 'POST' && r.body.length)
      .map((r) => JSON.parse(r.body.toString('utf8')) as SentBody);

  before(async () => {
    c = await startCognitoLocal();
    const app = await c.client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: c.userPoolId,
        ClientName: 'with-secret',
        GenerateSecret: true,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    clientId = app.UserPoolClient?.ClientId ?? '';
    secret = app.UserPoolClient?.ClientSecret ?? '';
    assert.ok(secret, 'cognito-local generated a secret');
    proxy = await startRecordingProxy(c.endpoint);
    identity = new CognitoIdentity({
      userPoolId: c.userPoolId,
      clientId,
      region: c.region,
      endpoint: proxy.endpoint,
      clientSecret: secret,
      clock: systemClock,
      ids: randomIds,
      audit: {
        record: () => Promise.resolve(),
        list: () => Promise.resolve({ items: [], nextToken: null }),
        close: () => Promise.resolve(),
      },
    });
  });
  after(async () => {
    await identity?.close();
    await proxy?.stop();
    await c?.stop();
  });

  it('signs SignUp, ConfirmSignUp and the password sign-in with the e-mail, the refresh with the sub', async () => {
    const email = `secret-${Date.now().toString(36)}@atelier.test`;
    const account = await identity.signUp(email, 'a good long password');
    await identity.verifyEmail(email, c.codeFor(email) ?? '');
    const tokens = await identity.signIn(email, 'a good long password');
    assert.ok(tokens.refreshToken.startsWith(`${account.id}~`), 'the refresh token keeps the username its hash needs');
    const refreshed = await identity.refresh(tokens.refreshToken);
    assert.equal(refreshed.refreshToken, tokens.refreshToken);

    const bodies = sent();
    const signUp = bodies.find((b) => 'Password' in b && 'UserAttributes' in b);
    const confirm = bodies.find((b) => 'ConfirmationCode' in b);
    const login = bodies.find((b) => b.AuthFlow === 'USER_PASSWORD_AUTH');
    const refresh = bodies.find((b) => b.AuthFlow === 'REFRESH_TOKEN_AUTH');
    assert.equal(signUp?.SecretHash, expectedHash(secret, email, clientId));
    assert.equal(confirm?.SecretHash, expectedHash(secret, email, clientId));
    assert.equal(login?.AuthParameters?.SECRET_HASH, expectedHash(secret, email, clientId));
    assert.equal(refresh?.AuthParameters?.SECRET_HASH, expectedHash(secret, account.id, clientId));
    assert.equal(refresh?.AuthParameters?.REFRESH_TOKEN, tokens.refreshToken.split('~')[1]);
  });
});
