import { useState } from 'react';
import { api } from '../api/client';
import { ApiError } from '../api/errors';
import { useI18n } from '../i18n/i18n';
import { Empty, ErrorBanner, Loading, PageTitle, TextField } from '../ui/ui';
import { useLoad } from '../ui/use-load';

interface Entry {
  id: string;
  subject: string;
  to: string;
  date: string | null;
}
interface Message extends Entry {
  from: string;
  text: string;
}

export default function Mailbox() {
  const i18n = useI18n();
  const { t } = i18n;
  const [to, setTo] = useState('');
  const [state, reload] = useLoad(
    () =>
      api<{ items: Entry[] }>(`/dev/mailbox/api/messages?limit=100${to ? `&to=${encodeURIComponent(to)}` : ''}`, { auth: false }),
    [to],
  );
  const [open, setOpen] = useState<Message | null>(null);
  const [error, setError] = useState<unknown>(null);
  const show = async (id: string) => {
    setError(null);
    try {
      setOpen(await api<Message>(`/dev/mailbox/api/messages/${encodeURIComponent(id)}`, { auth: false }));
    } catch (err) {
      setError(err);
    }
  };
  const unavailable = state.status === 'error' && state.error instanceof ApiError && state.error.code === 'NOT_FOUND';
  return (
    <section className="page page--wide">
      <PageTitle title={t('mailbox.title')}>{t('mailbox.title')}</PageTitle>
      <p className="muted">{t('mailbox.intro')}</p>
      {unavailable ? (
        <Empty title={t('mailbox.unavailable')}>
          <p>{t('mailbox.unavailableHint')}</p>
        </Empty>
      ) : (
        <>
          <div className="toolbar">
            <TextField label={t('mailbox.filter')} type="search" value={to} onChange={(e) => setTo(e.target.value)} />
            <button type="button" className="button" onClick={reload}>
              {t('mailbox.refresh')}
            </button>
          </div>
          <ErrorBanner error={error} />
          {state.status === 'loading' && <Loading />}
          {state.status === 'error' && <ErrorBanner error={state.error} onRetry={reload} />}
          {state.status === 'ready' &&
            (state.data.items.length === 0 ? (
              <Empty title={t('mailbox.empty')}>
                <p>{t('mailbox.emptyHint')}</p>
              </Empty>
            ) : (
              <div className="mailbox">
                <ul className="mail-list">
                  {state.data.items.map((m) => (
                    <li key={m.id}>
                      <button
                        type="button"
                        className={`mail-item${open?.id === m.id ? ' mail-item--open' : ''}`}
                        aria-pressed={open?.id === m.id}
                        onClick={() => void show(m.id)}
                      >
                        <span className="cell-title">{m.subject}</span>
                        <span className="muted small">
                          {m.to} · {i18n.dateTime(m.date)}
                        </span>
                      </button>
                    </li>
                  ))}
                </ul>
                {open && (
                  <article className="card mail-view" aria-labelledby="mail-subject">
                    <h2 id="mail-subject">{open.subject}</h2>
                    <p className="muted small">
                      {t('mailbox.fromTo', { from: open.from, to: open.to })} · {i18n.dateTime(open.date)}
                    </p>
                    <pre className="prewrap">{open.text}</pre>
                  </article>
                )}
              </div>
            ))}
        </>
      )}
    </section>
  );
}
