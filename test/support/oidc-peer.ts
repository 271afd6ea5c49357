import http from 'node:http';
import Provider from 'oidc-provider';

export interface PeerAccount {
  email: string;
  email_verified: boolean;
}

export interface OidcPeer {
  issuer: string;
  /** Provider-side accounts by subject (the login typed on the provider's login form); change them freely. */
  accounts: Map<string, PeerAccount>;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (oidc-provider) on `port`, with its development login and consent pages:
 * any login is accepted as the subject, whose claims come from `accounts`. One confidential client is
 * registered with Atelier's callback URL; PKCE is required.
 */
export async function startOidcPeer(opts: {
  port: number;
  redirectUri: string;
  clientId: string;
  clientSecret: string;
}): Promise<OidcPeer> {
  const issuer = `http://127.0.0.1:${opts.port}`;
  const accounts = new Map<string, PeerAccount>();
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
        redirect_uris: [opts.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    findAccount: (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: () => ({ sub: id, ...accounts.get(id) }),
    }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    cookies: { keys: ['oidc-peer-test-cookie-key'] },
  });
  // oidc-provider reports some errors as events; the tests look at outcomes, not at these.
  provider.on('server_error', () => undefined);
  const server = http.createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(opts.port, '127.0.0.1', resolve));
  return {
    issuer,
    accounts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
