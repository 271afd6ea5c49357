import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { AuditEvent } from '../../../src/modules/identity/audit-log.js';
import { SecretBox } from '../../../src/modules/identity/local/secret-box.js';
import { freePort } from '../../support/free-port.js';
import { startOidcPeer, type OidcPeer } from '../../support/oidc-peer.js';
import { startTestServer, uniqueEmail, type TestServer } from '../../support/test-server.js';

const CLIENT_ID = 'atelier-test';
const CLIENT_SECRET = 'a client secret for the federation tests';
const USER_AGENT = 'atelier-oidc-test/1.0';

/**
 * A minimal browser: one cookie jar per origin (Path and expiry honoured enough for these flows), redirects
 * followed by hand so that each hop can be looked at, and the provider's login and consent forms submitted.
 */
class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  async request(url: URL, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const jar = this.jars.get(url.origin) ?? new Map<string, string>();
    this.jars.set(url.origin, jar);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        'user-agent': USER_AGENT,
        ...(cookie ? { cookie } : {}),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const set of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = set.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=.*1970/i.test(a));
      if (!value || expired) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  cookie(origin: string, name: string): string | undefined {
    return this.jars.get(origin)?.get(name);
  }

  setCookie(origin: string, name: string, value: string): void {
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    jar.set(name, value);
    this.jars.set(origin, jar);
  }
}

const location = (res: Response, base: URL): URL => {
  const to = res.headers.get('location');
  assert.ok(to, `expected a redirect, got ${res.status}`);
  return new URL(to, base);
};

/** Federated sign-in over HTTP on a real server whose stores `env` selects, against a real OpenID Connect provider. */
export function oidcFederationSuite(name: string, env: () => Promise<Record<string, string>>): void {
  describe(`"Sign in with …" through a real OpenID Connect provider: ${name}`, () => {
    let s: TestServer;
    let peer: OidcPeer;
    let atelier: string;

    before(async () => {
      const peerPort = await freePort();
      const deadPort = await freePort();
      s = await startTestServer({
        ...(await env()),
        OIDC_PROVIDERS: 'acme,down',
        OIDC_ACME_ISSUER: `http://127.0.0.1:${peerPort}`,
        OIDC_ACME_CLIENT_ID: CLIENT_ID,
        OIDC_ACME_CLIENT_SECRET: CLIENT_SECRET,
        OIDC_ACME_LABEL: 'Acme ID',
        OIDC_DOWN_ISSUER: `http://127.0.0.1:${deadPort}`,
        OIDC_DOWN_CLIENT_ID: 'x',
        OIDC_DOWN_CLIENT_SECRET: 'y',
      });
      atelier = new URL(s.url).origin;
      peer = await startOidcPeer({
        port: peerPort,
        redirectUri: `${s.url}/auth/oidc/acme/callback`,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
      });
    });
    after(async () => {
      await peer.close();
      await s.close();
    });

    /** A provider-side user; returns its subject. */
    const providerUser = (email: string, verified = true) => {
      const sub = `sub-${crypto.randomUUID()}`;
      peer.accounts.set(sub, { email, email_verified: verified });
      return sub;
    };

    /** Atelier's /start: the redirect to the provider, checked for PKCE S256, state and nonce. */
    const start = async (b: Browser, returnTo = '/welcome') => {
      const res = await b.request(new URL(`/auth/oidc/acme/start?returnTo=${encodeURIComponent(returnTo)}`, s.url));
      assert.equal(res.status, 302);
      const authorize = location(res, new URL(s.url));
      assert.equal(authorize.origin, peer.issuer);
      return authorize;
    };

    /**
     * Goes through the provider's pages as `subject` (login, then consent) until the provider redirects to
     * Atelier's callback; returns that callback URL without calling it. `cancel` clicks Cancel on the login page.
     */
    const atProvider = async (b: Browser, authorize: URL, subject: string, cancel = false): Promise<URL> => {
      let url = authorize;
      let init: { method?: string; form?: Record<string, string> } = {};
      for (let hop = 0; hop < 20; hop++) {
        if (url.origin === atelier) return url;
        const res = await b.request(url, init);
        init = {};
        if (res.status >= 300 && res.status < 400) {
          url = location(res, url);
          continue;
        }
        const html = await res.text();
        assert.equal(res.status, 200, html.slice(0, 500));
        if (cancel) {
          const abort = /href="([^"]*\/abort)"/.exec(html)?.[1];
          assert.ok(abort, 'a Cancel link on the provider page');
          url = new URL(abort, url);
          continue;
        }
        const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
        assert.ok(action, `a form on the provider page: ${html.slice(0, 300)}`);
        const form: Record<string, string> = {};
        for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/?>/g)) form[m[1]!] = m[2]!;
        if (html.includes('name="login"')) Object.assign(form, { login: subject, password: 'anything' });
        url = new URL(action, url);
        init = { method: 'POST', form };
      }
      throw new Error('too many hops at the provider');
    };

    /** Calls Atelier's callback; returns the fragment of the page it sends the browser to. */
    const callback = async (b: Browser, url: URL) => {
      const res = await b.request(url);
      assert.equal(res.status, 302);
      const to = location(res, url);
      assert.equal(to.origin, atelier);
      return { path: to.pathname, fragment: new URLSearchParams(to.hash.slice(1)) };
    };

    const signInWith = async (subject: string, returnTo = '/welcome') => {
      const b = new Browser();
      const done = await callback(b, await atProvider(b, await start(b, returnTo), subject));
      return done;
    };

    const exchange = (code: string) => s.post('/auth/oidc/exchange', { code });
    const me = async (token: string) =>
      (await (await fetch(`${s.url}/auth/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<
        string,
        unknown
      >;
    const eventsOf = async (accountId: string) => {
      const res = await fetch(`${s.url}/auth/admin/audit?accountId=${accountId}&limit=100`, {
        headers: { authorization: `Bearer ${await s.adminToken()}` },
      });
      return ((await res.json()) as { items: AuditEvent[] }).items;
    };

    it('lists the configured providers for the sign-in buttons', async () => {
      const res = await fetch(`${s.url}/auth/providers`);
      assert.deepEqual(await res.json(), [
        { id: 'acme', label: 'Acme ID' },
        { id: 'down', label: 'down' },
      ]);
    });

    it('sends the browser to the provider with PKCE S256, state and nonce, kept in an encrypted HttpOnly cookie', async () => {
      const b = new Browser();
      const res = await b.request(new URL('/auth/oidc/acme/start', s.url));
      const authorize = location(res, new URL(s.url));
      const q = authorize.searchParams;
      assert.equal(q.get('response_type'), 'code');
      assert.equal(q.get('client_id'), CLIENT_ID);
      assert.equal(q.get('redirect_uri'), `${s.url}/auth/oidc/acme/callback`);
      assert.equal(q.get('code_challenge_method'), 'S256');
      assert.match(q.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.ok((q.get('state') ?? '').length >= 32);
      assert.ok((q.get('nonce') ?? '').length >= 32);
      assert.match(q.get('scope') ?? '', /\bopenid\b/);
      const setCookie = res.headers.getSetCookie().join('\n');
      assert.match(setCookie, /atelier_oidc=[^;]+; Path=\/auth\/oidc\/acme\/callback; Max-Age=600; HttpOnly; SameSite=Lax/);
      // what the cookie holds is not readable (JWE), and the state is not in it in the clear
      const sealed = b.cookie(atelier, 'atelier_oidc') ?? '';
      assert.equal(sealed.split('.').length, 5);
      assert.ok(!sealed.includes(q.get('state') ?? '-'));
      assert.ok(!JSON.stringify(s.logLines).includes(sealed), 'the flow cookie is never logged');
    });

    it('creates a verified freelancer on first sign-in, and finds the same account next time even if the e-mail changed', async () => {
      const email = uniqueEmail('fed-new');
      const sub = providerUser(email);
      const first = await signInWith(sub, '/profile/edit');
      assert.equal(first.path, '/profile/edit');
      const code = first.fragment.get('code');
      assert.ok(code, `a one-time code, got ${first.fragment.toString()}`);
      const tokens = await exchange(code);
      assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
      const account = await me(String(tokens.body.accessToken));
      assert.equal(account.email, email);
      assert.deepEqual(account.groups, ['freelancer']);
      // the one-time code is single use
      assert.equal((await exchange(code)).status, 401);
      // neither it nor the tokens reach the logs
      const logs = JSON.stringify(s.logLines);
      assert.ok(!logs.includes(code));
      assert.ok(!logs.includes(String(tokens.body.refreshToken).split('.')[1] ?? 'no secret'));

      peer.accounts.set(sub, { email: uniqueEmail('fed-renamed'), email_verified: true });
      const second = await signInWith(sub);
      const again = await exchange(second.fragment.get('code') ?? '');
      assert.equal((await me(String(again.body.accessToken))).id, account.id);

      const events = await eventsOf(String(account.id));
      const success = events.filter((e) => e.type === 'sign_in_succeeded');
      assert.equal(success.length, 2);
      assert.ok(success.every((e) => e.details.method === 'federated' && e.details.provider === 'acme' && e.ip === '127.0.0.1'));
    });

    it('links to an existing local account by verified e-mail', async () => {
      const local = await s.newUser(uniqueEmail('fed-local'));
      const sub = providerUser(local.email.toUpperCase());
      const done = await signInWith(sub);
      const tokens = await exchange(done.fragment.get('code') ?? '');
      assert.equal(tokens.status, 200);
      assert.equal((await me(String(tokens.body.accessToken))).id, local.id);
      // the local password still works
      assert.equal((await s.post('/auth/login', { email: local.email, password: 'a good long password' })).status, 200);
    });

    it('takes over an unverified local sign-up only without its password (no pre-hijacking)', async () => {
      const email = uniqueEmail('fed-prehijack');
      const signup = await s.post('/auth/signup', { email, password: 'the squatter password' });
      assert.equal(signup.status, 201);
      const done = await signInWith(providerUser(email));
      const tokens = await exchange(done.fragment.get('code') ?? '');
      const account = await me(String(tokens.body.accessToken));
      assert.equal(account.id, signup.body.id);
      assert.equal((await s.post('/auth/login', { email, password: 'the squatter password' })).status, 401);
    });

    it('refuses an e-mail the provider has not verified, with an error code for the web app', async () => {
      const local = await s.newUser(uniqueEmail('fed-unverified'));
      const sub = providerUser(local.email, false);
      const done = await signInWith(sub);
      assert.equal(done.path, '/welcome');
      assert.equal(done.fragment.get('error'), 'email_not_verified');
      assert.equal(done.fragment.get('code'), null);
      const failed = (await eventsOf(local.id)).filter((e) => e.type === 'sign_in_failed');
      assert.ok(failed.some((e) => e.details.reason === 'email_not_verified' && e.details.method === 'federated'));
      // no account was created for an unverified address either
      const fresh = await signInWith(providerUser(uniqueEmail('fed-nobody'), false));
      assert.equal(fresh.fragment.get('error'), 'email_not_verified');
    });

    it('refuses a callback whose state was tampered with, or that belongs to another flow', async () => {
      const sub = providerUser(uniqueEmail('fed-state'));
      const b = new Browser();
      const cb = await atProvider(b, await start(b), sub);
      const tampered = new URL(cb);
      tampered.searchParams.set('state', 'x'.repeat(43));
      const refused = await callback(b, tampered);
      assert.equal(refused.fragment.get('error'), 'state_mismatch');
      // the flow cookie is gone after one callback: the genuine URL cannot be used afterwards
      assert.equal((await callback(b, cb)).fragment.get('error'), 'state_mismatch');

      // flow A's callback arriving in a browser whose cookie is flow B's (login CSRF)
      const victim = new Browser();
      const attacker = new Browser();
      const cbA = await atProvider(attacker, await start(attacker), sub);
      await start(victim);
      assert.equal((await callback(victim, cbA)).fragment.get('error'), 'state_mismatch');
      // and no cookie at all
      assert.equal((await callback(new Browser(), cbA)).fragment.get('error'), 'state_mismatch');
    });

    it('enforces the nonce and the PKCE verifier of the flow', async () => {
      // The test holds the server's key (same data dir), so it can forge a flow whose state matches but whose
      // nonce or verifier does not: what an injected authorization response would look like.
      const box = SecretBox.load(path.join(s.dataDir, 'keys'));
      const forged = async (change: Record<string, string>) => {
        const b = new Browser();
        const cb = await atProvider(b, await start(b), providerUser(uniqueEmail('fed-forged')));
        const flow = await box.open(b.cookie(atelier, 'atelier_oidc') ?? '', 'oidc-flow');
        b.setCookie(atelier, 'atelier_oidc', await box.seal({ ...flow, ...change }, 'oidc-flow', 600));
        return callback(b, cb);
      };
      assert.equal((await forged({ nonce: 'n'.repeat(43) })).fragment.get('error'), 'invalid_response');
      assert.equal((await forged({ verifier: 'v'.repeat(43) })).fragment.get('error'), 'invalid_response');
      // unchanged, the same forging path succeeds: the refusals above come from the nonce and the verifier
      assert.ok((await forged({})).fragment.get('code'));
    });

    it('sends a user who cancelled at the provider back with an error code', async () => {
      const b = new Browser();
      const cb = await atProvider(b, await start(b), providerUser(uniqueEmail('fed-cancel')), true);
      assert.equal(cb.searchParams.get('error'), 'access_denied');
      assert.equal((await callback(b, cb)).fragment.get('error'), 'cancelled');
    });

    it('refuses a disabled account, and asks an MFA-enabled account for its code', async () => {
      const email = uniqueEmail('fed-mfa');
      const sub = providerUser(email);
      const tokens = await exchange((await signInWith(sub)).fragment.get('code') ?? '');
      const token = String(tokens.body.accessToken);
      const id = String((await me(token)).id);

      const setup = await s.post('/auth/mfa/totp/setup', {}, token);
      const totp = new TOTP({ secret: Secret.fromBase32(String(setup.body.secret)) });
      assert.equal((await s.post('/auth/mfa/totp/confirm', { code: totp.generate() }, token)).status, 200);
      const challenged = await exchange((await signInWith(sub)).fragment.get('code') ?? '');
      assert.equal(challenged.body.mfaRequired, true);
      assert.equal(challenged.body.accessToken, undefined);

      const admin = await s.adminToken();
      const disable = await fetch(`${s.url}/auth/admin/users/${id}/disabled`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({ disabled: true }),
      });
      assert.equal(disable.status, 200);
      assert.equal((await signInWith(sub)).fragment.get('error'), 'disabled');
    });

    it('answers 503 naming the provider when its issuer cannot be reached, and refuses foreign returnTo', async () => {
      const down = await fetch(`${s.url}/auth/oidc/down/start`, { redirect: 'manual' });
      assert.equal(down.status, 503);
      const problem = (await down.json()) as { code: string; title: string };
      assert.equal(problem.code, 'UNAVAILABLE');
      assert.match(problem.title, /"down" cannot be reached/);
      assert.equal((await fetch(`${s.url}/auth/oidc/nope/start`, { redirect: 'manual' })).status, 404);
      for (const returnTo of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
        const res = await fetch(`${s.url}/auth/oidc/acme/start?returnTo=${encodeURIComponent(returnTo)}`, { redirect: 'manual' });
        assert.equal(res.status, 400, returnTo);
      }
    });
  });
}
