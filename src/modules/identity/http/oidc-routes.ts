import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import { z } from 'zod';
import { parseWith } from '../../../http/parse.js';
import { isAppError } from '../../../shared/errors.js';
import type { RequestMeta } from '../audit-log.js';
import type { OidcProviders } from '../federation/oidc-providers.js';
import type { SecretBox } from '../local/secret-box.js';
import type { FederatedSignIn } from '../mfa.js';

const FLOW_COOKIE = 'atelier_oidc';
const FLOW_PURPOSE = 'oidc-flow';
const FLOW_TTL_SECONDS = 600;
/** Where the web app finishes a federated sign-in; the one-time code (or the error) travels in the fragment. */
const DEFAULT_RETURN_TO = '/auth/complete';

/** A same-site path only (`/x`, not `//host` or `/\host`): returnTo must never become an open redirect. */
const returnToSchema = z
  .string()
  .max(512)
  .regex(/^\/(?![/\\])[^\s#]*$/, 'must be a path on this site, starting with a single /');

const metaOf = (req: FastifyRequest): RequestMeta => ({ ip: req.ip, userAgent: req.headers['user-agent'] });

function cookieValue(req: FastifyRequest, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=') || null;
  }
  return null;
}

interface Flow {
  provider: string;
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

/**
 * "Sign in with …": OpenID Connect authorization code flow with PKCE (S256), `state` and `nonce`, the
 * relying party side done by openid-client (ID token signature, issuer, audience, nonce). The flow's
 * secrets ride in an encrypted, HttpOnly, SameSite=Lax cookie scoped to the provider's callback path, for
 * 10 minutes. The callback never puts tokens in a URL: it redirects to the web app with a one-time code in
 * the fragment, which the app exchanges at POST /auth/oidc/exchange.
 */
export function oidcRoutes(
  app: FastifyInstance,
  deps: {
    federation: FederatedSignIn;
    providers: OidcProviders;
    flows: SecretBox;
    publicUrl: string;
    rateLimitPerMinute: number;
  },
): void {
  const LIMIT = { config: { rateLimit: { max: deps.rateLimitPerMinute, timeWindow: '1 minute' } } };
  const secure = deps.publicUrl.startsWith('https:');
  const callbackPath = (provider: string) => `/auth/oidc/${provider}/callback`;
  const redirectUri = (provider: string) => deps.publicUrl + callbackPath(provider);
  const flowCookie = (provider: string, value: string, maxAge: number) =>
    `${FLOW_COOKIE}=${value}; Path=${callbackPath(provider)}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
  const finish = (reply: FastifyReply, returnTo: string, fragment: Record<string, string>) =>
    reply.redirect(`${returnTo}#${new URLSearchParams(fragment).toString()}`, 302);

  app.get('/auth/providers', LIMIT, async () => deps.providers.list());

  app.get('/auth/oidc/:provider/start', LIMIT, async (req, reply) => {
    const { provider } = parseWith(z.object({ provider: z.string() }), req.params);
    const { returnTo } = parseWith(z.object({ returnTo: returnToSchema.optional() }), req.query);
    const settings = deps.providers.get(provider);
    const config = await deps.providers.configuration(provider);
    const flow: Flow = {
      provider,
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      returnTo: returnTo ?? DEFAULT_RETURN_TO,
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri(provider),
      scope: settings.scopes,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    const sealed = await deps.flows.seal({ ...flow }, FLOW_PURPOSE, FLOW_TTL_SECONDS);
    void reply.header('set-cookie', flowCookie(provider, sealed, FLOW_TTL_SECONDS)).header('cache-control', 'no-store');
    return reply.redirect(url.href, 302);
  });

  app.get('/auth/oidc/:provider/callback', LIMIT, async (req, reply) => {
    const { provider } = parseWith(z.object({ provider: z.string() }), req.params);
    deps.providers.get(provider);
    // The flow cookie is good for one callback, whatever happens next.
    void reply.header('set-cookie', flowCookie(provider, '', 0)).header('cache-control', 'no-store');
    const flow = await openFlow(req, provider);
    const returnTo = flow?.returnTo ?? DEFAULT_RETURN_TO;
    const fail = async (reason: string) => {
      await deps.federation.recordFederatedFailure(provider, reason, metaOf(req));
      return finish(reply, returnTo, { error: reason });
    };
    if (!flow) return fail('state_mismatch');
    const query = req.query as Record<string, unknown>;
    if (typeof query.error === 'string') {
      // The user cancelled at the provider (access_denied), or the provider refused the request.
      return fail(query.error === 'access_denied' ? 'cancelled' : 'provider_error');
    }
    if (query.state !== flow.state) return fail('state_mismatch');
    let identity;
    try {
      const config = await deps.providers.configuration(provider);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(req.url, deps.publicUrl), {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) return await fail('invalid_response');
      // Many providers put e-mail claims only in UserInfo (the ID token of the code flow may carry just `sub`);
      // openid-client checks that UserInfo speaks of the same subject.
      const email = typeof claims.email === 'string' ? claims : await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      identity = {
        provider,
        subject: claims.sub,
        email: typeof email.email === 'string' ? email.email : null,
        emailVerified: email.email_verified === true,
      };
    } catch (err) {
      req.log.warn({ err, provider }, 'federated sign-in: code exchange, ID token or UserInfo refused');
      return fail('invalid_response');
    }
    try {
      const { code } = await deps.federation.signInFederated(identity, metaOf(req));
      return finish(reply, returnTo, { code });
    } catch (err) {
      // signInFederated audits its own refusals; any coded error (e.g. CONFLICT when two first sign-ins of
      // one identity race) goes back to the web app as a reason rather than as a raw page
      if (isAppError(err)) {
        const reason = typeof err.details.reason === 'string' ? err.details.reason : err.code.toLowerCase();
        return finish(reply, returnTo, { error: reason });
      }
      throw err;
    }
  });

  app.post('/auth/oidc/exchange', LIMIT, async (req) => {
    const { code } = parseWith(z.object({ code: z.string().min(1).max(200) }), req.body);
    return deps.federation.exchangeFederatedCode(code, metaOf(req));
  });

  /** The flow this browser started with this provider, or null if absent, tampered with, expired or another provider's. */
  async function openFlow(req: FastifyRequest, provider: string): Promise<Flow | null> {
    const sealed = cookieValue(req, FLOW_COOKIE);
    if (!sealed) return null;
    try {
      const c = await deps.flows.open(sealed, FLOW_PURPOSE);
      const flow = z
        .object({ provider: z.string(), state: z.string(), nonce: z.string(), verifier: z.string(), returnTo: returnToSchema })
        .safeParse(c);
      return flow.success && flow.data.provider === provider ? flow.data : null;
    } catch {
      return null;
    }
  }
}
