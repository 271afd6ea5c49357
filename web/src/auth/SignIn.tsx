import { lazy, Suspense, useEffect, useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { api, signIn, signInWithCode, signInWithTokens } from '../api/client';
import { ApiError } from '../api/errors';
import { useI18n } from '../i18n/i18n';
import { ErrorBanner, Loading, TextField } from '../ui/ui';
import { AuthCard } from './AuthCard';
import { homeOf, useSession } from './session';

// only the few accounts the policy forces to set up two-factor authentication need it: not on the first screen
const MfaSetup = lazy(() => import('./MfaSetup').then((m) => ({ default: m.MfaSetup })));

interface Provider {
  id: string;
  name: string;
  url: string;
}

/** Where the provider's callback sends the browser back, with `#code=…` or `#error=…`. */
export const FEDERATED_RETURN = '/signin/complete';

/** Providers configured on the server (`GET /auth/providers`); none when the route does not exist. */
async function loadProviders(): Promise<Provider[]> {
  try {
    const body = await api<unknown>('/auth/providers', { auth: false });
    const list: unknown[] = Array.isArray(body)
      ? body
      : body && typeof body === 'object' && 'items' in body && Array.isArray(body.items)
        ? (body.items as unknown[])
        : body && typeof body === 'object' && 'providers' in body && Array.isArray(body.providers)
          ? (body.providers as unknown[])
          : [];
    return list.flatMap((p) => {
      if (!p || typeof p !== 'object' || !('id' in p) || typeof p.id !== 'string') return [];
      const name =
        'label' in p && typeof p.label === 'string' ? p.label : 'name' in p && typeof p.name === 'string' ? p.name : p.id;
      const url =
        'url' in p && typeof p.url === 'string'
          ? p.url
          : 'startUrl' in p && typeof p.startUrl === 'string'
            ? p.startUrl
            : `/auth/oidc/${encodeURIComponent(p.id)}/start?returnTo=${encodeURIComponent(FEDERATED_RETURN)}`;
      return [{ id: p.id, name, url }];
    });
  } catch {
    return [];
  }
}

export default function SignIn() {
  const i18n = useI18n();
  const { t } = i18n;
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [providers, setProviders] = useState<Provider[]>([]);
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [setupToken, setSetupToken] = useState<string | null>(null);
  useEffect(() => {
    void loadProviders().then(setProviders);
  }, []);

  if (session.state.status === 'signedIn') return <Navigate to={homeOf(session.state.user)} replace />;

  const next = params.get('next');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await session.signIn(() => (mfaToken ? signInWithCode(mfaToken, code) : signIn(email, password)));
      if (result.status === 'mfaRequired') {
        setMfaToken(result.mfaToken);
        setBusy(false);
        return;
      }
      if (result.status === 'mfaSetupRequired') {
        setSetupToken(result.setupToken);
        setBusy(false);
        return;
      }
      void navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : homeOf(result.user), { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
      // an expired second step starts over with the password
      if (mfaToken && err instanceof ApiError && /step expired|not this one/i.test(err.message)) {
        setMfaToken(null);
        setCode('');
      }
    }
  };
  const notVerified = error instanceof ApiError && error.code === 'ACCOUNT_NOT_VERIFIED';
  if (setupToken) {
    // the policy requires two-factor authentication this account lacks: set it up, then in
    return (
      <AuthCard title={t('mfa.forcedTitle')} intro={t('mfa.forcedIntro')}>
        <ErrorBanner error={error} />
        <Suspense fallback={<Loading />}>
          <MfaSetup
            setupToken={setupToken}
            onDone={(tokens) => {
              if (!tokens) return;
              session
                .signIn(() => signInWithTokens(tokens))
                .then(
                  (result) => {
                    if (result.status === 'signedIn') void navigate(homeOf(result.user), { replace: true });
                  },
                  (err: unknown) => {
                    setError(err);
                    setSetupToken(null);
                  },
                );
            }}
          />
        </Suspense>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title={t('signIn.title')}
      intro={t('signIn.intro')}
      footer={
        <p>
          {t('signIn.noAccount')} <Link to="/signup">{t('signIn.createAccount')}</Link>
        </p>
      }
    >
      <form onSubmit={(e) => void submit(e)} noValidate>
        <ErrorBanner error={error} />
        {notVerified && (
          <p>
            <Link to={`/verify?email=${encodeURIComponent(email)}`}>{t('signIn.enterCode')}</Link>
          </p>
        )}
        {mfaToken ? (
          <TextField
            label={t('signIn.mfaCode')}
            hint={t('signIn.mfaHint')}
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        ) : (
          <>
            <TextField
              label={t('field.email')}
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
            <TextField
              label={t('field.password')}
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </>
        )}
        <button className="button button--primary button--block" type="submit" disabled={busy}>
          {busy ? t('signIn.busy') : t('signIn.submit')}
        </button>
        <p className="auth__aside">
          <Link to={`/forgot-password${email ? `?email=${encodeURIComponent(email)}` : ''}`}>{t('signIn.forgot')}</Link>
        </p>
      </form>
      {providers.length > 0 && (
        <div className="providers">
          <p className="providers__or">{t('signIn.or')}</p>
          {providers.map((p) => (
            <a key={p.id} className="button button--block" href={p.url}>
              {t('signIn.with', { name: p.name })}
            </a>
          ))}
        </div>
      )}
    </AuthCard>
  );
}
