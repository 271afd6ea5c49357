import { ApiError, fromGraphQLErrors, fromProblem, networkError } from './errors';

/**
 * Tokens. The access token lives in memory only. The refresh token is kept in localStorage so that a
 * reload or a new tab stays signed in: the server has no cookie session, and a token in JavaScript is
 * what an SPA on this API can have. The risk (a script injected into the page could read it) is kept
 * small: no third-party script, React escapes everything, and the server rotates refresh tokens and
 * ends the whole session when one is replayed. Refreshes are serialized across tabs with the Web Locks
 * API, since two tabs rotating the same token at once would look like a replay.
 */
const REFRESH_KEY = 'atelier.refreshToken';
const LOCK_NAME = 'atelier.refresh';
/** Refresh this long before the access token expires. */
const EARLY_MS = 60_000;

export interface TokenResponse {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

let access: { token: string; expiresAt: number } | null = null;
let refreshing: Promise<string | null> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<(signedIn: boolean) => void>();

/** Called with false when the session ends (signed out here, in another tab, or refused by the server). */
export function onSessionChange(listener: (signedIn: boolean) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
const emit = (signedIn: boolean) => listeners.forEach((l) => l(signedIn));

export const hasStoredSession = (): boolean => localStorage.getItem(REFRESH_KEY) !== null;

function store(tokens: TokenResponse): string {
  localStorage.setItem(REFRESH_KEY, tokens.refreshToken);
  access = { token: tokens.accessToken, expiresAt: Date.now() + tokens.expiresIn * 1000 };
  clearTimeout(timer);
  // silent refresh shortly before expiry (at least 5 s from now)
  timer = setTimeout(() => void refresh(), Math.max(5_000, tokens.expiresIn * 1000 - EARLY_MS));
  return tokens.accessToken;
}

export function clearSession(): void {
  localStorage.removeItem(REFRESH_KEY);
  access = null;
  clearTimeout(timer);
  emit(false);
}

// another tab signed out
window.addEventListener('storage', (e) => {
  if (e.key === REFRESH_KEY && e.newValue === null && access) {
    access = null;
    clearTimeout(timer);
    emit(false);
  }
});

async function send(input: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(input, init);
  } catch (err) {
    if (init.signal?.aborted) throw err;
    throw networkError();
  }
}

async function bodyOf(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Exchanges the stored refresh token for new tokens; null (and signed out) when the server refuses it. */
export function refresh(): Promise<string | null> {
  refreshing ??= (async () => {
    const run = async (): Promise<string | null> => {
      const token = localStorage.getItem(REFRESH_KEY);
      if (!token) return null;
      const res = await send('/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: token }),
      });
      const body = await bodyOf(res);
      if (res.ok) return store(body as TokenResponse);
      const err = fromProblem(res.status, body);
      if (err.code === 'UNAUTHENTICATED') {
        clearSession();
        return null;
      }
      throw err;
    };
    return navigator.locks ? navigator.locks.request(LOCK_NAME, run) : run();
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** A valid access token (refreshed first if needed), or null when signed out. */
export async function accessToken(): Promise<string | null> {
  if (access && access.expiresAt - Date.now() > 10_000) return access.token;
  if (!hasStoredSession()) return null;
  return refresh();
}

interface CallOptions {
  method?: string;
  body?: unknown;
  /** Send the access token (default true); a 401 triggers one refresh and one retry. */
  auth?: boolean;
  /** Aborts the request (a newer search replaced it). */
  signal?: AbortSignal;
  /** With `auth: false`, a one-purpose bearer token to send instead (the two-factor set-up token). */
  bearer?: string;
}

/** A JSON call to a REST route; problem+json answers become ApiErrors. */
export async function api<T>(path: string, opts: CallOptions = {}): Promise<T> {
  const attempt = async (token: string | null) =>
    send(path, {
      method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
      headers: {
        accept: 'application/json',
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  const useAuth = opts.auth ?? true;
  let res = await attempt(useAuth ? await accessToken() : (opts.bearer ?? null));
  if (res.status === 401 && useAuth && hasStoredSession()) {
    access = null;
    const fresh = await refresh();
    if (fresh) res = await attempt(fresh);
  }
  const body = await bodyOf(res);
  if (!res.ok) throw fromProblem(res.status, body);
  return body as T;
}

/** A GraphQL operation over HTTP; any error in the answer is thrown as an ApiError. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const attempt = async (token: string | null) =>
    send('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
  let res = await attempt(await accessToken());
  if (res.status === 401 && hasStoredSession()) {
    access = null;
    const fresh = await refresh();
    if (fresh) res = await attempt(fresh);
  }
  const body = (await bodyOf(res)) as { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] } | null;
  if (!body) throw fromProblem(res.status, null);
  if (body.errors?.length) throw fromGraphQLErrors(res.status, body.errors);
  if (body.data === undefined) throw fromProblem(res.status, null);
  return body.data;
}

/** How a sign-in step ended: signed in, or a second factor is asked for (accounts with two-factor authentication). */
export type SignInStep =
  { status: 'signedIn' } | { status: 'mfaRequired'; mfaToken: string } | { status: 'mfaSetupRequired'; setupToken: string };

function settle(body: unknown): SignInStep {
  const b = (body ?? {}) as Partial<TokenResponse> & {
    mfaRequired?: boolean;
    mfaToken?: string;
    mfaSetupRequired?: boolean;
    setupToken?: string;
  };
  if (b.accessToken && b.refreshToken && b.expiresIn) {
    store(b as TokenResponse);
    emit(true);
    return { status: 'signedIn' };
  }
  if (b.mfaRequired && b.mfaToken) return { status: 'mfaRequired', mfaToken: b.mfaToken };
  if (b.mfaSetupRequired && b.setupToken) return { status: 'mfaSetupRequired', setupToken: b.setupToken };
  throw new ApiError('INTERNAL', 'Unexpected sign-in answer');
}

/** Signs in with e-mail and password; the tokens are kept as described above. */
export async function signIn(email: string, password: string): Promise<SignInStep> {
  return settle(await api<unknown>('/auth/login', { body: { email, password }, auth: false }));
}

/** The second step for accounts with two-factor authentication: a 6-digit code, or a recovery code. */
export async function signInWithCode(mfaToken: string, code: string): Promise<SignInStep> {
  const c = code.trim();
  const body = /^\d{6}$/.test(c) ? { mfaToken, code: c } : { mfaToken, recoveryCode: c };
  return settle(await api<unknown>('/auth/login/mfa', { body, auth: false }));
}

/** Signs in with the tokens a two-factor set-up (with a set-up token) answered. */
export async function signInWithTokens(tokens: TokenResponse): Promise<SignInStep> {
  return Promise.resolve(settle(tokens));
}

/** Finishes a "sign in with …" flow: the provider's callback left a one-time code in the address fragment. */
export async function exchangeFederatedCode(code: string): Promise<SignInStep> {
  return settle(await api<unknown>('/auth/oidc/exchange', { body: { code }, auth: false }));
}

/** Ends this session on the server (best effort) and here. */
export async function signOut(): Promise<void> {
  const refreshToken = localStorage.getItem(REFRESH_KEY);
  try {
    if (refreshToken) await api('/auth/logout', { body: { refreshToken }, auth: false });
  } finally {
    clearSession();
  }
}

/** Uploads `file` to a signed form target with progress (XHR, since fetch reports no upload progress). */
export function uploadForm(
  target: { url: string; fields: Record<string, string> },
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(target.fields)) form.append(k, v);
    form.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', target.url);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
        return;
      }
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText) as unknown;
      } catch {
        // S3 answers XML: the status alone then decides
      }
      reject(
        fromProblem(
          xhr.status,
          body ?? { code: xhr.status === 403 ? 'UPLOAD_EXPIRED' : xhr.status === 413 ? 'TOO_LARGE' : undefined },
        ),
      );
    };
    xhr.onerror = () => reject(networkError());
    xhr.onabort = () => reject(new ApiError('NETWORK', 'Upload cancelled'));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(form);
  });
}

/** Keeps tokens the server handed out elsewhere (a password change opens a new session). */
export function adoptTokens(tokens: TokenResponse): void {
  store(tokens);
}
