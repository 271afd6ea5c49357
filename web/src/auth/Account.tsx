import { useState, type FormEvent } from 'react';
import { api, adoptTokens } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { fieldErrorsOf, type FieldErrors } from '../ui/form-errors';
import { ErrorBanner, Notice, PageTitle, TextField } from '../ui/ui';
import { useSession, type User } from './session';
import { TwoFactor } from './TwoFactor';

export default function Account({ user }: { user: User }) {
  const i18n = useI18n();
  const { t } = i18n;
  const session = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [fields, setFields] = useState<FieldErrors>({});
  const [done, setDone] = useState<string | null>(null);

  const change = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setFields({});
    setDone(null);
    try {
      adoptTokens(
        await api<{ accessToken: string; refreshToken: string; expiresIn: number }>('/auth/change-password', {
          body: { currentPassword: current, newPassword: next },
        }),
      );
      setCurrent('');
      setNext('');
      setDone(t('account.passwordChanged'));
    } catch (err) {
      setError(err);
      setFields(fieldErrorsOf(err, i18n));
    }
  };
  const everywhere = async () => {
    setError(null);
    try {
      await api('/auth/logout-all', { body: {} });
    } catch (err) {
      setError(err);
      return;
    }
    await session.signOut();
  };
  return (
    <section className="page page--narrow">
      <PageTitle title={t('account.title')}>{t('account.title')}</PageTitle>
      <p className="muted">{t('account.signedInAs', { email: user.email })}</p>
      <p>
        {t('account.groups')} {user.groups.map((g) => t(`group.${g}`)).join(', ')}
      </p>
      <ErrorBanner error={error} />
      {done && <Notice tone="success">{done}</Notice>}
      <form className="card" onSubmit={(e) => void change(e)} noValidate>
        <h2>{t('account.changePassword')}</h2>
        <TextField
          label={t('account.currentPassword')}
          type="password"
          autoComplete="current-password"
          value={current}
          error={fields.currentPassword}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <TextField
          label={t('reset.newPassword')}
          type="password"
          autoComplete="new-password"
          value={next}
          hint={t('signUp.passwordHint')}
          error={fields.newPassword}
          onChange={(e) => setNext(e.target.value)}
        />
        <button className="button button--primary" type="submit">
          {t('account.changePassword')}
        </button>
      </form>
      <TwoFactor />
      <div className="card">
        <h2>{t('account.sessions')}</h2>
        <p>{t('account.sessionsText')}</p>
        <button className="button button--danger" type="button" onClick={() => void everywhere()}>
          {t('account.signOutEverywhere')}
        </button>
      </div>
    </section>
  );
}
