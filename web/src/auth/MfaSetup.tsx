import { useEffect, useState, type FormEvent } from 'react';
import { api, type TokenResponse } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { fieldErrorsOf } from '../ui/form-errors';
import { ErrorBanner, Loading, Notice, TextField } from '../ui/ui';

interface Setup {
  secret: string;
  otpauthUri: string;
}

/** The recovery codes, shown once: a list, a copy button and "I have saved them". */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState<boolean | null>(null);
  return (
    <div className="recovery">
      <Notice tone="warning">{t('mfa.recoveryOnce')}</Notice>
      <ol className="recovery__codes" aria-label={t('mfa.recoveryCodes')}>
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <div className="actions">
        <button
          type="button"
          className="button"
          onClick={() =>
            void navigator.clipboard.writeText(codes.join('\n')).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {t('mfa.copyCodes')}
        </button>
        <button type="button" className="button button--primary" onClick={onDone}>
          {t('mfa.savedCodes')}
        </button>
      </div>
      {copied !== null && (
        <p className={copied ? 'success small' : 'field-error'} role="status">
          {copied ? t('mfa.codesCopied') : t('keys.copyFailed')}
        </p>
      )}
    </div>
  );
}

/**
 * TOTP enrolment: asks the server for a secret, shows it (and the otpauth link an authenticator app opens),
 * confirms with a first code, then shows the recovery codes once. Signed in, or with the setup token that a
 * sign-in answers when the policy requires two-factor authentication the account lacks.
 */
export function MfaSetup({ setupToken, onDone }: { setupToken?: string; onDone: (tokens: TokenResponse | null) => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [setup, setSetup] = useState<Setup | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ recoveryCodes: string[]; tokens: TokenResponse | null } | null>(null);
  const bearer = setupToken ? { auth: false, bearer: setupToken } : {};
  useEffect(() => {
    let live = true;
    api<Setup>('/auth/mfa/totp/setup', { body: {}, ...(setupToken ? { auth: false, bearer: setupToken } : {}) }).then(
      (data) => live && setSetup(data),
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [setupToken]);
  const confirm = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const res = await api<{ recoveryCodes: string[]; tokens?: TokenResponse }>('/auth/mfa/totp/confirm', {
        body: { code: code.trim() },
        ...bearer,
      });
      setDone({ recoveryCodes: res.recoveryCodes, tokens: res.tokens ?? null });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (done) return <RecoveryCodes codes={done.recoveryCodes} onDone={() => onDone(done.tokens)} />;
  if (!setup) return error ? <ErrorBanner error={error} /> : <Loading />;
  const grouped = setup.secret.replace(/(.{4})/g, '$1 ').trim();
  return (
    <form noValidate onSubmit={(e) => void confirm(e)} className="mfa-setup">
      <ol className="steps">
        <li>
          {t('mfa.step1')} <a href={setup.otpauthUri}>{t('mfa.openApp')}</a>
        </li>
        <li>
          {t('mfa.step2')}
          <p>
            <code className="mfa-secret" data-secret={setup.secret} aria-label={t('mfa.secretLabel')}>
              {grouped}
            </code>
          </p>
        </li>
        <li>{t('mfa.step3')}</li>
      </ol>
      <ErrorBanner error={error} />
      <TextField
        label={t('mfa.code')}
        inputMode="numeric"
        autoComplete="one-time-code"
        value={code}
        error={fieldErrorsOf(error, i18n).code}
        onChange={(e) => setCode(e.target.value)}
      />
      <button type="submit" className="button button--primary" disabled={busy || !code.trim()}>
        {t('mfa.confirm')}
      </button>
    </form>
  );
}
