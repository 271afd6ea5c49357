import { useState, type FormEvent } from 'react';
import { issueApiKey, listApiKeys, revokeApiKey, type ApiKey } from '../api/catalog';
import { useI18n } from '../i18n/i18n';
import { fieldErrorsOf } from '../ui/form-errors';
import { Empty, ErrorBanner, Loading, Notice, PageTitle, TextField } from '../ui/ui';
import { useLoad } from '../ui/use-load';

function Secret({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <section className="card secret" aria-labelledby="secret-title">
      <h2 id="secret-title">{t('keys.secretTitle', { name })}</h2>
      <Notice tone="warning">{t('keys.secretOnce')}</Notice>
      <p>
        <label htmlFor="key-secret" className="sr-only">
          {t('keys.secret')}
        </label>
        <input id="key-secret" className="secret__value" readOnly value={secret} onFocus={(e) => e.target.select()} />
      </p>
      <div className="actions">
        <button type="button" className="button button--primary" onClick={() => void copy()}>
          {t('keys.copy')}
        </button>
        <button type="button" className="button button--ghost" onClick={onDone}>
          {t('keys.done')}
        </button>
      </div>
      {copied !== null && (
        <p className={copied ? 'success small' : 'field-error'} role="status">
          {copied ? t('keys.copied') : t('keys.copyFailed')}
        </p>
      )}
    </section>
  );
}

function KeyRow({ k, onRevoked }: { k: ApiKey; onRevoked: (k: ApiKey) => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const revoke = async () => {
    setError(null);
    try {
      await revokeApiKey(k.id);
      onRevoked({ ...k, revokedAt: new Date().toISOString() });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <tr>
      <th scope="row">
        <span className="cell-title">{k.name}</span>
        <code className="small">{k.prefix}…</code>
      </th>
      <td>
        {k.revokedAt ? (
          <span className="badge badge--failed">{t('keys.revokedOn', { date: i18n.dateTime(k.revokedAt) })}</span>
        ) : (
          <span className="badge badge--available">{t('keys.active')}</span>
        )}
        <span className="muted small block">
          {t('keys.createdOn', { date: i18n.dateTime(k.createdAt) })} ·{' '}
          {t('keys.perMinute', { count: i18n.number(k.rateLimitPerMinute) })}
        </span>
        <ErrorBanner error={error} />
      </td>
      <td className="actions">
        {!k.revokedAt &&
          (confirming ? (
            <>
              <button type="button" className="button button--small button--danger" onClick={() => void revoke()}>
                {t('keys.confirmRevoke', { name: k.name })}
              </button>
              <button type="button" className="button button--small button--ghost" onClick={() => setConfirming(false)}>
                {t('common.cancel')}
              </button>
            </>
          ) : (
            <button
              type="button"
              className="button button--small"
              aria-label={t('keys.revokeOf', { name: k.name })}
              onClick={() => setConfirming(true)}
            >
              {t('keys.revoke')}
            </button>
          ))}
      </td>
    </tr>
  );
}

export default function ApiKeys() {
  const i18n = useI18n();
  const { t } = i18n;
  const [state, reload, set] = useLoad(() => listApiKeys(), []);
  const [name, setName] = useState('');
  const [limit, setLimit] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [issued, setIssued] = useState<{ name: string; secret: string } | null>(null);
  const errors = error ? fieldErrorsOf(error, i18n) : {};
  const issue = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const res = await issueApiKey(name.trim(), limit ? Number(limit) : undefined);
      setIssued({ name: res.key.name, secret: res.secret });
      setName('');
      setLimit('');
      if (state.status === 'ready') set({ items: [res.key, ...state.data.items] });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="page page--wide">
      <PageTitle title={t('keys.title')}>{t('keys.title')}</PageTitle>
      <Notice>{t('keys.intro')}</Notice>
      {issued && <Secret name={issued.name} secret={issued.secret} onDone={() => setIssued(null)} />}
      <form noValidate className="card" onSubmit={(e) => void issue(e)} aria-labelledby="issue-title">
        <h2 id="issue-title">{t('keys.issue')}</h2>
        <ErrorBanner error={error} />
        <div className="toolbar">
          <TextField
            label={t('keys.name')}
            hint={t('keys.nameHint')}
            value={name}
            error={errors.name ?? errors['body.name']}
            onChange={(e) => setName(e.target.value)}
          />
          <TextField
            label={t('keys.rateLimit')}
            hint={t('keys.rateLimitHint')}
            type="number"
            min={1}
            inputMode="numeric"
            value={limit}
            error={errors.rateLimitPerMinute ?? errors['body.rateLimitPerMinute']}
            onChange={(e) => setLimit(e.target.value)}
          />
          <button type="submit" className="button button--primary">
            {t('keys.issueButton')}
          </button>
        </div>
      </form>
      <h2>{t('keys.list')}</h2>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorBanner error={state.error} onRetry={reload} />}
      {state.status === 'ready' &&
        (state.data.items.length === 0 ? (
          <Empty title={t('keys.empty')}>
            <p>{t('keys.emptyHint')}</p>
          </Empty>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">{t('keys.list')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('keys.name')}</th>
                  <th scope="col">{t('keys.state')}</th>
                  <th scope="col">
                    <span className="sr-only">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {state.data.items.map((k) => (
                  <KeyRow
                    key={k.id}
                    k={k}
                    onRevoked={(r) => set({ items: state.data.items.map((x) => (x.id === r.id ? r : x)) })}
                  />
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}
