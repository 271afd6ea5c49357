import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { fieldErrorsOf, type FieldErrors } from '../ui/form-errors';
import { ErrorBanner, TextField } from '../ui/ui';
import { AuthCard } from './AuthCard';

export default function SignUp() {
  const i18n = useI18n();
  const { t } = i18n;
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
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
      await api('/auth/signup', { body: { email, password, locale: i18n.locale }, auth: false });
      void navigate(`/verify?email=${encodeURIComponent(email.trim())}&sent=1`);
    } catch (err) {
      setError(err);
      setFields(fieldErrorsOf(err, i18n));
      setBusy(false);
    }
  };
  return (
    <AuthCard
      title={t('signUp.title')}
      intro={t('signUp.intro')}
      footer={
        <p>
          {t('signUp.haveAccount')} <Link to="/signin">{t('signUp.signIn')}</Link>
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
          error={fields.email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <TextField
          label={t('field.password')}
          type="password"
          autoComplete="new-password"
          required
          value={password}
          hint={t('signUp.passwordHint')}
          error={fields.password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button className="button button--primary button--block" type="submit" disabled={busy}>
          {busy ? t('signUp.busy') : t('signUp.submit')}
        </button>
      </form>
    </AuthCard>
  );
}
