import { useState } from 'react';
import { discardDeadLetter, listDeadLetters, retryDeadLetter, type DeadLetterData } from '../api/profiles';
import { useI18n } from '../i18n/i18n';
import { Empty, ErrorBanner, Loading, Notice, PageTitle } from '../ui/ui';
import { useLoad } from '../ui/use-load';

function prettyJson(s: string): string {
  try {
    return JSON.stringify(JSON.parse(s), null, 2);
  } catch {
    return s;
  }
}

export default function DeadLetters() {
  const i18n = useI18n();
  const { t } = i18n;
  const [state, reload, set] = useLoad(() => listDeadLetters(null), []);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const act = async (d: DeadLetterData, what: 'retry' | 'discard') => {
    setError(null);
    setDone(null);
    try {
      await (what === 'retry' ? retryDeadLetter(d.id) : discardDeadLetter(d.id));
      if (state.status === 'ready') set({ ...state.data, items: state.data.items.filter((x) => x.id !== d.id) });
      setDone(what === 'retry' ? t('dead.retried', { handler: d.handler }) : t('dead.discarded', { handler: d.handler }));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="page page--wide">
      <PageTitle title={t('dead.title')}>{t('dead.title')}</PageTitle>
      <p className="muted">{t('dead.intro')}</p>
      <ErrorBanner error={error} />
      {done && <Notice tone="success">{done}</Notice>}
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorBanner error={state.error} onRetry={reload} />}
      {state.status === 'ready' &&
        (state.data.items.length === 0 ? (
          <Empty title={t('dead.empty')}>
            <p>{t('dead.emptyHint')}</p>
          </Empty>
        ) : (
          <ul className="dead-list">
            {state.data.items.map((d) => (
              <li key={d.id} className="card">
                <h2 className="dead__title">
                  {d.handler} <span className="muted">← {d.eventType}</span>
                </h2>
                <dl className="facts">
                  <dt>{t('dead.failedAt')}</dt>
                  <dd>{i18n.dateTime(d.failedAt)}</dd>
                  <dt>{t('dead.attempts')}</dt>
                  <dd>{i18n.number(d.attempts)}</dd>
                  <dt>{t('dead.lastError')}</dt>
                  <dd>
                    <code>{d.lastError ?? '—'}</code>
                  </dd>
                </dl>
                <details>
                  <summary>{t('dead.payload')}</summary>
                  <pre>{prettyJson(d.payload)}</pre>
                </details>
                <div className="actions">
                  <button type="button" className="button button--primary button--small" onClick={() => void act(d, 'retry')}>
                    {t('dead.retry')}
                  </button>
                  <button type="button" className="button button--danger button--small" onClick={() => void act(d, 'discard')}>
                    {t('dead.discard')}
                  </button>
                </div>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
