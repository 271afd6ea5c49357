import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { superviseChildPeer } from './child-peer.js';
import { freePort } from './free-port.js';

export interface CognitoLocal {
  /** The Cognito endpoint (also the issuer's domain of its tokens). */
  endpoint: string;
  region: string;
  userPoolId: string;
  clientId: string;
  /** What the server needs to run with AUTH_PROVIDER=cognito against this peer. */
  env: Record<string, string>;
  /** The pending confirmation or reset code of `email`, as cognito-local stored it (it mails nothing); null if none. */
  codeFor(email: string): string | null;
  /** The signing key cognito-local ships with (public in its package): to forge tokens in negative tests. */
  privateKeyPem(): string;
  client: CognitoIdentityProviderClient;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

interface StoredUser {
  Attributes?: { Name: string; Value?: string }[];
  ConfirmationCode?: string;
}

/**
 * Starts cognito-local (its CLI, in a child node process) on a free port in a throw-away directory (it keeps
 * its pools in `.cognito/db/*.json` under its working directory), makes its tokens' issuer the address
 * it listens on, then creates a user pool (e-mail as username), an app client and Atelier's groups
 * through the SDK. `stop()` kills it and removes the directory; the child is also killed when this
 * process exits or is interrupted.
 */
export async function startCognitoLocal(): Promise<CognitoLocal> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-cognito-'));
  fs.mkdirSync(path.join(directory, '.cognito'));
  fs.writeFileSync(
    path.join(directory, '.cognito', 'config.json'),
    JSON.stringify({ TokenConfig: { IssuerDomain: endpoint }, UserPoolDefaults: { UsernameAttributes: ['email'] } }),
  );
  const require = createRequire(import.meta.url);
  const cli = require.resolve('cognito-local/lib/bin/start.js');
  const child = spawn(process.execPath, [cli], {
    cwd: directory,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = await superviseChildPeer(child, {
    name: 'cognito-local',
    endpoint,
    probe: () => fetch(`${endpoint}/health`).then((r) => r.ok),
    timeoutMs: START_TIMEOUT_MS,
    intervalMs: 100,
  }).catch((err: unknown) => {
    fs.rmSync(directory, { recursive: true, force: true });
    throw err;
  });
  const region = 'local';
  const client = new CognitoIdentityProviderClient({ endpoint, region, credentials });
  try {
    const pool = await client.send(
      new CreateUserPoolCommand({ PoolName: 'atelier-test', UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'] }),
    );
    const userPoolId = pool.UserPool?.Id ?? '';
    const app = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: 'atelier-web',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        PreventUserExistenceErrors: 'ENABLED',
        // minutes: short enough to matter, long enough for a test run
        AccessTokenValidity: 15,
        IdTokenValidity: 15,
        TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes' },
      }),
    );
    const clientId = app.UserPoolClient?.ClientId ?? '';
    for (const GroupName of ['freelancer', 'team', 'admin']) {
      await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName }));
    }
    const dbFile = path.join(directory, '.cognito', 'db', `${userPoolId}.json`);
    return {
      endpoint,
      region,
      userPoolId,
      clientId,
      client,
      env: {
        AUTH_PROVIDER: 'cognito',
        COGNITO_USER_POOL_ID: userPoolId,
        COGNITO_CLIENT_ID: clientId,
        COGNITO_REGION: region,
        COGNITO_ENDPOINT: endpoint,
      },
      codeFor(email) {
        const db = JSON.parse(fs.readFileSync(dbFile, 'utf8')) as { Users?: Record<string, StoredUser> };
        const user = Object.values(db.Users ?? {}).find(
          (u) => u.Attributes?.find((a) => a.Name === 'email')?.Value?.toLowerCase() === email.toLowerCase(),
        );
        return user?.ConfirmationCode ?? null;
      },
      privateKeyPem() {
        const key = require('cognito-local/lib/keys/cognitoLocal.private.json') as { pem: string };
        return key.pem;
      },
      stop: async () => {
        client.destroy();
        await stop();
        fs.rmSync(directory, { recursive: true, force: true });
      },
    };
  } catch (err) {
    client.destroy();
    await stop();
    fs.rmSync(directory, { recursive: true, force: true });
    throw err;
  }
}
