import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { ErrorBanner, Loading, Notice, TextField } from '../ui/ui';
import { useLoad } from '../ui/use-load';
import { MfaSetup, RecoveryCodes } from './MfaSetup';

interface MfaStatus {
  enabled: boolean;
  pendingSetup: boolean;
  recoveryCodesLeft: number;
  required: boolean;
}

/** The account page's two-factor section: set up, new recovery codes, turn off. */
export function TwoFactor() {
  const { t } = useI18n();
  const [state, reload] = useLoad(() => api<MfaStatus>('/auth/mfa'), []);
  const [settingUp, setSettingUp] = useState(false);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const run = async (e: FormEvent, action: 'disable' | 'regenerate') => {
    e.preventDefault();
    setError(null);
    setNotice(null);
    try {
      if (action === 'disable') {
        await api('/auth/mfa/disable', { body: { password, code: code.trim() } });
        setNotice(t('mfa.disabled'));
      } else {
        setCodes(
          (await api<{ recoveryCodes: string[] }>('/auth/mfa/recovery-codes', { body: { code: code.trim() } })).recoveryCodes,
        );
      }
      setPassword('');
      setCode('');
      reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section className="card" aria-labelledby="mfa-title">
      <h2 id="mfa-title">{t('mfa.title')}</h2>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorBanner error={state.error} onRetry={reload} />}
      {notice && <Notice tone="success">{notice}</Notice>}
      {codes && (
        <RecoveryCodes
          codes={codes}
          onDone={() => {
            setCodes(null);
            setNotice(t('mfa.codesSaved'));
          }}
        />
      )}
      {state.status === 'ready' && !codes && (
        <>
          {state.data.required && <p className="hint">{t('mfa.required')}</p>}
          {!state.data.enabled &&
            (settingUp ? (
              <MfaSetup
                onDone={() => {
                  setSettingUp(false);
                  setNotice(t('mfa.enabled'));
                  reload();
                }}
              />
            ) : (
              <>
                <p>{t('mfa.off')}</p>
                <button type="button" className="button button--primary" onClick={() => (setNotice(null), setSettingUp(true))}>
                  {t('mfa.setUp')}
                </button>
              </>
            ))}
          {state.data.enabled && (
            <>
              <p>
                <span className="badge badge--available">{t('mfa.on')}</span>{' '}
                {t('mfa.codesLeft', { count: state.data.recoveryCodesLeft })}
              </p>
              <ErrorBanner error={error} />
              <form noValidate onSubmit={(e) => void run(e, 'regenerate')}>
                <TextField
                  label={t('mfa.currentCode')}
                  hint={t('mfa.currentCodeHint')}
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  value={code}
                  onChange={(e) => setCode(e.target.value)}
                />
                <div className="actions">
                  <button type="submit" className="button" disabled={!code.trim()}>
                    {t('mfa.newCodes')}
                  </button>
                </div>
              </form>
              {!state.data.required && (
                <form noValidate onSubmit={(e) => void run(e, 'disable')} className="mfa-disable">
                  <h3>{t('mfa.turnOff')}</h3>
                  <TextField
                    label={t('account.currentPassword')}
                    type="password"
                    autoComplete="current-password"
                    value={password}
                    onChange={(e) => setPassword(e.target.value)}
                  />
                  <p className="hint">{t('mfa.turnOffHint')}</p>
                  <button type="submit" className="button button--danger" disabled={!password || !code.trim()}>
                    {t('mfa.turnOffButton')}
                  </button>
                </form>
              )}
            </>
          )}
        </>
      )}
    </section>
  );
}
