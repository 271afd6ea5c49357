import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { fieldErrorsOf, type FieldErrors } from '../ui/form-errors';
import { ErrorBanner, TextField } from '../ui/ui';
import { AuthCard } from './AuthCard';

export default function ResetPassword() {
  const i18n = useI18n();
  const { t } = i18n;
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [fields, setFields] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFields({});
    try {
      await api('/auth/reset-password', { body: { email, code: code.trim(), newPassword: password }, auth: false });
      void navigate(`/signin?email=${encodeURIComponent(email)}&reset=1`);
    } catch (err) {
      setError(err);
      setFields(fieldErrorsOf(err, i18n));
      setBusy(false);
    }
  };
  return (
    <AuthCard
      title={t('reset.title')}
      intro={t('reset.intro', { email: email || '…' })}
      footer={
        <p>
          <Link to="/signin">{t('verify.backToSignIn')}</Link>
        </p>
      }
    >
      <form onSubmit={(e) => void submit(e)} noValidate>
        <ErrorBanner error={error} />
        <TextField
          label={t('field.email')}
          type="email"
          autoComplete="email"
          value={email}
          error={fields.email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <TextField
          label={t('verify.code')}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          value={code}
          error={fields.code}
          onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
        />
        <TextField
          label={t('reset.newPassword')}
          type="password"
          autoComplete="new-password"
          value={password}
          hint={t('signUp.passwordHint')}
          error={fields.newPassword}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button className="button button--primary button--block" type="submit" disabled={busy}>
          {t('reset.submit')}
        </button>
      </form>
    </AuthCard>
  );
}
