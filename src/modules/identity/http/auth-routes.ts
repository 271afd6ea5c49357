import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseWith } from '../../../http/parse.js';
import { unauthenticated } from '../../../shared/errors.js';
import type { RequestMeta } from '../audit-log.js';
import type { IdentityProvider } from '../identity-provider.js';
import type { MfaEnroller, MfaService } from '../mfa.js';
import { GROUPS, LOCALES, MFA_POLICY_GROUPS, type Principal } from '../model.js';

const credentials = z.object({ email: z.string(), password: z.string() });
const signupBody = credentials.extend({ locale: z.enum(LOCALES).optional() });
const emailBody = z.object({ email: z.string() });
const verifyBody = z.object({ email: z.string(), code: z.string() });
const resetBody = z.object({ email: z.string(), code: z.string(), newPassword: z.string() });

const refreshBody = z.object({ refreshToken: z.string().min(1) });
const logoutBody = z.object({ refreshToken: z.string().optional() });
const groupsBody = z.object({ groups: z.array(z.enum(GROUPS)).min(1) });
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  nextToken: z.string().optional(),
});
const auditQuery = listQuery.extend({ accountId: z.string().min(1).optional() });

/** The caller's principal from `Authorization: Bearer …`, or null when absent; UNAUTHENTICATED when invalid. */
export async function principalFrom(identity: IdentityProvider, req: FastifyRequest): Promise<Principal | null> {
  const header = req.headers.authorization;
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!m?.[1]) throw unauthenticated('Authorization must be "Bearer <access token>"');
  return identity.verifyAccessToken(m[1]);
}

/** Where the request came from, for the audit log (`req.ip` honours the proxy headers the server trusts). */
const metaOf = (req: FastifyRequest): RequestMeta => ({ ip: req.ip, userAgent: req.headers['user-agent'] });

async function requirePrincipal(identity: IdentityProvider, req: FastifyRequest): Promise<Principal> {
  const p = await principalFrom(identity, req);
  if (!p) throw unauthenticated();
  return p;
}

/** /auth/* (the Cognito-like account API) and the JWKS that verifies access tokens. */
export function authRoutes(
  app: FastifyInstance,
  identity: IdentityProvider,
  opts: { mailRateLimitPerMinute: number; rateLimitPerMinute: number },
  /** TOTP MFA and its admin policy, when the identity service offers them (the local one does). */
  mfa?: MfaService,
): void {
  /** Every /auth route: a per-IP budget against credential stuffing and token guessing. */
  const AUTH_ROUTE_LIMIT = { config: { rateLimit: { max: opts.rateLimitPerMinute, timeWindow: '1 minute' } } };
  /** Routes that send e-mail: a per-IP budget on top of the per-account resend interval. */
  const MAILING_ROUTE_LIMIT = { config: { rateLimit: { max: opts.mailRateLimitPerMinute, timeWindow: '1 minute' } } };

  app.post('/auth/signup', MAILING_ROUTE_LIMIT, async (req, reply) => {
    const { email, password, locale } = parseWith(signupBody, req.body);
    const account = await identity.signUp(email, password, locale);
    return reply.status(201).send(account);
  });

  app.post('/auth/verify', AUTH_ROUTE_LIMIT, async (req) => {
    const { email, code } = parseWith(verifyBody, req.body);
    return identity.verifyEmail(email, code);
  });

  app.post('/auth/resend-code', MAILING_ROUTE_LIMIT, async (req, reply) => {
    const { email } = parseWith(emailBody, req.body);
    await identity.resendVerificationCode(email);
    // the same answer whether or not the address has an account
    return reply.status(202).send({ status: 'accepted' });
  });

  app.post('/auth/forgot-password', MAILING_ROUTE_LIMIT, async (req, reply) => {
    const { email } = parseWith(emailBody, req.body);
    await identity.forgotPassword(email);
    return reply.status(202).send({ status: 'accepted' });
  });

  app.post('/auth/reset-password', AUTH_ROUTE_LIMIT, async (req, reply) => {
    const { email, code, newPassword } = parseWith(resetBody, req.body);
    await identity.resetPassword(email, code, newPassword, metaOf(req));
    return reply.status(204).send();
  });

  app.post('/auth/login', AUTH_ROUTE_LIMIT, async (req) => {
    const { email, password } = parseWith(credentials, req.body);
    return identity.signIn(email, password, metaOf(req));
  });

  app.post('/auth/refresh', AUTH_ROUTE_LIMIT, async (req) => {
    const { refreshToken } = parseWith(refreshBody, req.body);
    return identity.refresh(refreshToken, metaOf(req));
  });

  app.post('/auth/logout', AUTH_ROUTE_LIMIT, async (req, reply) => {
    const { refreshToken } = parseWith(logoutBody, req.body);
    // An expired access token must not prevent signing out with the refresh token.
    const principal = await principalFrom(identity, req).catch(() => null);
    if (!refreshToken && !principal) throw unauthenticated('Give the refresh token or a valid access token');
    await identity.signOut({ ...(refreshToken ? { refreshToken } : {}), ...(principal ? { principal } : {}) });
    return reply.status(204).send();
  });

  app.post('/auth/logout-all', AUTH_ROUTE_LIMIT, async (req) => {
    const principal = await requirePrincipal(identity, req);
    return { revokedSessions: await identity.signOutEverywhere(principal, metaOf(req)) };
  });

  app.post('/auth/change-password', AUTH_ROUTE_LIMIT, async (req) => {
    const principal = await requirePrincipal(identity, req);
    const { currentPassword, newPassword } = parseWith(
      z.object({ currentPassword: z.string(), newPassword: z.string() }),
      req.body,
    );
    return identity.changePassword(principal, currentPassword, newPassword, metaOf(req));
  });

  app.put('/auth/admin/users/:id/disabled', AUTH_ROUTE_LIMIT, async (req) => {
    const actor = await requirePrincipal(identity, req);
    const { id } = parseWith(z.object({ id: z.string().min(1) }), req.params);
    const { disabled } = parseWith(z.object({ disabled: z.boolean() }), req.body);
    return identity.setDisabled(actor, id, disabled, metaOf(req));
  });

  app.get('/auth/me', AUTH_ROUTE_LIMIT, async (req) => {
    const p = await requirePrincipal(identity, req);
    return { id: p.sub, email: p.email, groups: p.groups, ...(mfa ? { mfa: await mfa.mfaStatus(p) } : {}) };
  });

  app.get('/auth/admin/users', AUTH_ROUTE_LIMIT, async (req) => {
    const actor = await requirePrincipal(identity, req);
    const { limit, nextToken } = parseWith(listQuery, req.query);
    return identity.listUsers(actor, limit, nextToken);
  });

  app.get('/auth/admin/audit', AUTH_ROUTE_LIMIT, async (req) => {
    const actor = await requirePrincipal(identity, req);
    const { accountId, limit, nextToken } = parseWith(auditQuery, req.query);
    return identity.listAuditEvents(actor, accountId ? { accountId } : {}, limit, nextToken);
  });

  app.put('/auth/admin/users/:id/groups', AUTH_ROUTE_LIMIT, async (req) => {
    const actor = await requirePrincipal(identity, req);
    const { id } = parseWith(z.object({ id: z.string().min(1) }), req.params);
    const { groups } = parseWith(groupsBody, req.body);
    return identity.setGroups(actor, id, groups, metaOf(req));
  });

  if (mfa) mfaRoutes(app, identity, mfa, AUTH_ROUTE_LIMIT);

  app.get('/.well-known/jwks.json', async (_req, reply) => {
    void reply.header('cache-control', 'public, max-age=300');
    return identity.jwks();
  });
}

const codeBody = z.object({ code: z.string().min(1).max(64) });

/**
 * TOTP enrolment and MFA sign-in. Setup and confirm take either an access token or the setup token that
 * /auth/login answers when policy requires MFA the account lacks (that token is good for nothing else).
 */
function mfaRoutes(app: FastifyInstance, identity: IdentityProvider, mfa: MfaService, limit: object): void {
  const enroller = async (req: FastifyRequest): Promise<MfaEnroller> => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization?.trim() ?? '');
    if (!m?.[1]) throw unauthenticated();
    const token = m[1];
    const principal = await identity.verifyAccessToken(token).catch(() => null);
    return principal ? { principal } : { setupToken: token };
  };

  app.post('/auth/login/mfa', limit, async (req) => {
    const body = parseWith(
      z
        .object({ mfaToken: z.string().min(1), code: z.string().max(64).optional(), recoveryCode: z.string().max(64).optional() })
        .refine((b) => Boolean(b.code) !== Boolean(b.recoveryCode), {
          message: 'give either code or recoveryCode',
          path: ['code'],
        }),
      req.body,
    );
    return mfa.completeMfaSignIn(body.mfaToken, { code: body.code, recoveryCode: body.recoveryCode }, metaOf(req));
  });

  app.post('/auth/mfa/totp/setup', limit, async (req) => mfa.setupTotp(await enroller(req)));

  app.post('/auth/mfa/totp/confirm', limit, async (req) => {
    const { code } = parseWith(codeBody, req.body);
    return mfa.confirmTotp(await enroller(req), code, metaOf(req));
  });

  app.post('/auth/mfa/recovery-codes', limit, async (req) => {
    const principal = await requirePrincipal(identity, req);
    const { code } = parseWith(codeBody, req.body);
    return mfa.regenerateRecoveryCodes(principal, code, metaOf(req));
  });

  app.post('/auth/mfa/disable', limit, async (req, reply) => {
    const principal = await requirePrincipal(identity, req);
    const { password, code } = parseWith(codeBody.extend({ password: z.string() }), req.body);
    await mfa.disableTotp(principal, password, code, metaOf(req));
    return reply.status(204).send();
  });

  app.get('/auth/mfa', limit, async (req) => mfa.mfaStatus(await requirePrincipal(identity, req)));

  app.get('/auth/admin/mfa-policy', limit, async (req) => mfa.getMfaPolicy(await requirePrincipal(identity, req)));

  app.put('/auth/admin/mfa-policy', limit, async (req) => {
    const actor = await requirePrincipal(identity, req);
    const { requireMfaFor } = parseWith(z.object({ requireMfaFor: z.array(z.enum(MFA_POLICY_GROUPS)) }), req.body);
    return mfa.setMfaPolicy(actor, requireMfaFor, metaOf(req));
  });
}
