import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { fieldErrorsOf, type FieldErrors } from '../ui/form-errors';
import { ErrorBanner, Notice, TextField } from '../ui/ui';
import { AuthCard } from './AuthCard';

export default function Verify() {
  const i18n = useI18n();
  const { t } = i18n;
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [fields, setFields] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [resent, setResent] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFields({});
    try {
      await api('/auth/verify', { body: { email, code: code.trim() }, auth: false });
      void navigate(`/signin?email=${encodeURIComponent(email)}&verified=1`);
    } catch (err) {
      setError(err);
      setFields(fieldErrorsOf(err, i18n));
      setBusy(false);
    }
  };
  const resend = async () => {
    setError(null);
    try {
      await api('/auth/resend-code', { body: { email }, auth: false });
      setResent(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <AuthCard
      title={t('verify.title')}
      intro={params.get('email') ? t('verify.introSent', { email: params.get('email') ?? '' }) : t('verify.intro')}
      footer={
        <p>
          <Link to="/signin">{t('verify.backToSignIn')}</Link>
        </p>
      }
    >
      <form onSubmit={(e) => void submit(e)} noValidate>
        <ErrorBanner error={error} />
        {resent && <Notice tone="success">{t('verify.resent')}</Notice>}
        {!params.get('email') && (
          <TextField
            label={t('field.email')}
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        )}
        <TextField
          label={t('verify.code')}
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]*"
          maxLength={6}
          required
          value={code}
          error={fields.code}
          hint={t('verify.codeHint')}
          onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
        />
        <button className="button button--primary button--block" type="submit" disabled={busy}>
          {t('verify.submit')}
        </button>
        <p className="auth__aside">
          <button type="button" className="linklike" onClick={() => void resend()} disabled={!email}>
            {t('verify.resend')}
          </button>
        </p>
      </form>
    </AuthCard>
  );
}
