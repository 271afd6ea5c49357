import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { ErrorBanner, TextField } from '../ui/ui';
import { AuthCard } from './AuthCard';

export default function ForgotPassword() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('/auth/forgot-password', { body: { email }, auth: false });
      void navigate(`/reset-password?email=${encodeURIComponent(email.trim())}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <AuthCard
      title={t('forgot.title')}
      intro={t('forgot.intro')}
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
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <button className="button button--primary button--block" type="submit" disabled={busy || !email}>
          {t('forgot.submit')}
        </button>
      </form>
    </AuthCard>
  );
}
