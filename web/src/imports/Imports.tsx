import { useEffect, useRef, useState, type DragEvent, type RefObject } from 'react';
import { useSearchParams } from 'react-router';
import {
  cancelImport,
  downloadErrors,
  followImport,
  importErrors,
  isFinal,
  listImports,
  listPartners,
  myPartner,
  startImport,
  type CatalogImport,
  type Partner,
} from '../api/catalog';
import { ApiError, failureError } from '../api/errors';
import { isStaff, type User } from '../auth/session';
import { rejectText } from '../i18n/error-messages';
import { useI18n } from '../i18n/i18n';
import { Empty, ErrorBanner, Loading, Notice, PageTitle, ProgressBar, SelectField } from '../ui/ui';
import { useLoad } from '../ui/use-load';
import { MappingEditor } from './MappingEditor';

const ACCEPT = '.csv,.tsv,.txt,.xlsx,.json,.ndjson,.jsonl,text/csv,application/json';

/** The partners this user may import into: their own (partner accounts), or any (team, admin). */
async function partnersOf(user: User): Promise<Partner[]> {
  if (isStaff(user)) return (await listPartners()).items;
  try {
    return [await myPartner()];
  } catch (err) {
    if (err instanceof ApiError && err.code === 'NOT_FOUND') return [];
    throw err;
  }
}

export default function Imports({ user }: { user: User }) {
  const { t } = useI18n();
  const [sp, setSp] = useSearchParams();
  const [state, reload] = useLoad(() => partnersOf(user), [user]);
  const chosen = sp.get('partner');
  return (
    <section className="page page--wide">
      <PageTitle title={t('imports.title')}>{t('imports.title')}</PageTitle>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorBanner error={state.error} onRetry={reload} />}
      {state.status === 'ready' &&
        (state.data.length === 0 ? (
          <Empty title={t('imports.noPartner')}>
            <p>{isStaff(user) ? t('imports.noPartnerStaff') : t('imports.noPartnerHint')}</p>
          </Empty>
        ) : (
          <>
            {state.data.length > 1 && (
              <div className="toolbar">
                <SelectField
                  label={t('imports.partner')}
                  value={chosen ?? ''}
                  onChange={(e) => setSp(e.target.value ? { partner: e.target.value } : {})}
                  options={[
                    { value: '', label: t('imports.choosePartner') },
                    ...state.data.map((p) => ({ value: p.id, label: p.name })),
                  ]}
                />
              </div>
            )}
            {(() => {
              const partner = state.data.length === 1 ? state.data[0] : state.data.find((p) => p.id === chosen);
              return partner ? (
                <PartnerImports key={partner.id} partner={partner} />
              ) : (
                <Empty title={t('imports.choosePartnerTitle')}>
                  <p>{t('imports.choosePartnerHint')}</p>
                </Empty>
              );
            })()}
          </>
        ))}
    </section>
  );
}

function PartnerImports({ partner }: { partner: Partner }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [cursor, setCursor] = useState<string | null>(null);
  const [history, reloadHistory] = useLoad(() => listImports(partner.id, cursor), [partner.id, cursor]);
  const [current, setCurrent] = useState<CatalogImport | null>(null);
  const [followError, setFollowError] = useState<unknown>(null);
  const follow = useRef<AbortController | null>(null);
  const reportRef = useRef<HTMLHeadingElement>(null);

  const watch = (imp: CatalogImport) => {
    follow.current?.abort();
    setCurrent(imp);
    setFollowError(null);
    if (isFinal(imp.status)) return;
    const ctl = new AbortController();
    follow.current = ctl;
    followImport(imp.id, setCurrent, ctl.signal).then(
      (final) => {
        setCurrent(final);
        reloadHistory();
      },
      (err: unknown) => !ctl.signal.aborted && setFollowError(err),
    );
  };
  useEffect(() => () => follow.current?.abort(), []);

  return (
    <>
      <p className="lead">{t('imports.intro', { partner: partner.name })}</p>
      <Uploader
        partner={partner}
        onStarted={(imp) => (watch(imp), reloadHistory())}
        busy={!!current && !isFinal(current.status)}
      />
      {current && (
        <Report
          imp={current}
          headingRef={reportRef}
          error={followError}
          onCancel={async () => {
            try {
              setCurrent(await cancelImport(current.id));
            } catch (err) {
              setFollowError(err);
            }
          }}
        />
      )}
      <h2>{t('imports.history')}</h2>
      {history.status === 'loading' && <Loading />}
      {history.status === 'error' && <ErrorBanner error={history.error} onRetry={reloadHistory} />}
      {history.status === 'ready' &&
        (history.data.items.length === 0 ? (
          <Empty title={t('imports.noHistory')}>
            <p>{t('imports.noHistoryHint')}</p>
          </Empty>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">{t('imports.history')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('imports.file')}</th>
                  <th scope="col">{t('imports.status')}</th>
                  <th scope="col">{t('imports.counts')}</th>
                  <th scope="col">
                    <span className="sr-only">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {history.data.items.map((imp) => (
                  <tr key={imp.id}>
                    <th scope="row">
                      <span className="cell-title">{imp.fileName}</span>
                      <span className="muted small">
                        {i18n.dateTime(imp.createdAt)} · {t(`imports.mode.${imp.mode}`)}
                        {imp.dryRun ? ` · ${t('imports.dryRunShort')}` : ''}
                      </span>
                    </th>
                    <td>
                      <StatusBadge imp={imp} />
                    </td>
                    <td className="small">
                      {t('imports.countsLine', {
                        created: i18n.number(imp.counts.created),
                        updated: i18n.number(imp.counts.updated),
                        rejected: i18n.number(imp.counts.rejected),
                      })}
                    </td>
                    <td className="actions">
                      <button
                        type="button"
                        className="button button--small"
                        aria-label={t('imports.viewReportOf', { file: imp.fileName, date: i18n.dateTime(imp.createdAt) })}
                        onClick={() => {
                          watch(imp);
                          requestAnimationFrame(() => reportRef.current?.focus());
                        }}
                      >
                        {t('imports.viewReport')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <div className="pager">
        {cursor && (
          <button type="button" className="button" onClick={() => setCursor(null)}>
            {t('common.first')}
          </button>
        )}
        {history.status === 'ready' && history.data.nextToken && (
          <button type="button" className="button" onClick={() => setCursor(history.data.nextToken)}>
            {t('common.next')}
          </button>
        )}
      </div>
      <MappingEditor partnerId={partner.id} />
    </>
  );
}

function StatusBadge({ imp }: { imp: CatalogImport }) {
  const { t } = useI18n();
  const tone =
    imp.status === 'SUCCEEDED'
      ? 'badge--available'
      : imp.status === 'FAILED'
        ? 'badge--failed'
        : imp.status === 'CANCELLED'
          ? ''
          : 'badge--partially_available';
  return <span className={`badge ${tone}`}>{t(`imports.status.${imp.status}`)}</span>;
}

function Uploader({ partner, onStarted, busy }: { partner: Partner; onStarted: (imp: CatalogImport) => void; busy: boolean }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [file, setFile] = useState<File | null>(null);
  const [drag, setDrag] = useState(false);
  const [mode, setMode] = useState<'UPSERT' | 'REPLACE'>('UPSERT');
  const [dryRun, setDryRun] = useState(false);
  const [upload, setUpload] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const input = useRef<HTMLInputElement>(null);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDrag(false);
    const f = e.dataTransfer.files[0];
    if (f) {
      setFile(f);
      setError(null);
    }
  };
  const start = async () => {
    if (!file) return;
    setError(null);
    setUpload(0);
    try {
      const imp = await startImport(partner.id, file, { mode, dryRun }, setUpload);
      setFile(null);
      if (input.current) input.current.value = '';
      onStarted(imp);
    } catch (err) {
      setError(err);
    } finally {
      setUpload(null);
    }
  };
  return (
    <div
      className={`upload dropzone${drag ? ' upload--drag' : ''}`}
      data-testid="dropzone"
      onDragOver={(e) => (e.preventDefault(), setDrag(true))}
      onDragLeave={() => setDrag(false)}
      onDrop={onDrop}
    >
      <h2 className="upload__title">{t('imports.newImport')}</h2>
      <p>{t('imports.dropHint')}</p>
      <input
        ref={input}
        id="catalog-file"
        className="sr-only"
        type="file"
        accept={ACCEPT}
        onChange={(e) => (setFile(e.target.files?.[0] ?? null), setError(null))}
      />
      <label htmlFor="catalog-file" className="button">
        {t('imports.chooseFile')}
      </label>
      {file && (
        <p className="small" role="status">
          {t('imports.chosen', { file: file.name, size: i18n.bytes(file.size) })}
        </p>
      )}
      <div className="import-options">
        <SelectField
          label={t('imports.modeLabel')}
          value={mode}
          onChange={(e) => setMode(e.target.value as 'UPSERT' | 'REPLACE')}
          hint={t(`imports.modeHint.${mode}`)}
          options={[
            { value: 'UPSERT', label: t('imports.mode.UPSERT') },
            { value: 'REPLACE', label: t('imports.mode.REPLACE') },
          ]}
        />
        <label className="checkbox dry-run">
          <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} />
          {t('imports.dryRun')}
        </label>
      </div>
      {upload !== null && <ProgressBar value={upload} label={t('imports.uploading')} />}
      <ErrorBanner error={error} />
      {busy && <p className="hint">{t('imports.oneAtATime')}</p>}
      <button
        type="button"
        className="button button--primary"
        disabled={!file || upload !== null || busy}
        onClick={() => void start()}
      >
        {t('imports.start')}
      </button>
    </div>
  );
}

function Report({
  imp,
  error,
  onCancel,
  headingRef,
}: {
  imp: CatalogImport;
  error: unknown;
  onCancel: () => Promise<void>;
  headingRef: RefObject<HTMLHeadingElement | null>;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const done = isFinal(imp.status);
  const { rowsRead, rowsTotal, phase } = imp.progress;
  // pass 1 reads every row, pass 2 applies them again: the bar covers both halves
  const fraction =
    done || !rowsTotal
      ? done
        ? 1
        : 0
      : phase === 'APPLYING'
        ? 0.5 + Math.min(1, rowsRead / rowsTotal) / 2
        : Math.min(1, rowsRead / rowsTotal) / 2;
  const [rejected, setRejected] = useState<{ line: string; column: string; reason: string }[] | null>(null);
  const [reportError, setReportError] = useState<unknown>(null);
  useEffect(() => {
    setRejected(null);
    setReportError(null);
    if (!done || imp.counts.rejected === 0) return;
    let live = true;
    importErrors(imp).then(
      (rows) => live && setRejected(rows),
      (err: unknown) => live && setReportError(err),
    );
    return () => {
      live = false;
    };
  }, [imp.id, done, imp.counts.rejected]);
  return (
    <section className="card report" aria-labelledby="report-title">
      <h2 id="report-title" ref={headingRef} tabIndex={-1}>
        {t('imports.report', { file: imp.fileName })}
      </h2>
      <p>
        <StatusBadge imp={imp} /> <span className="muted small">{i18n.dateTime(imp.createdAt)}</span>
        {imp.dryRun && <span className="muted small"> · {t('imports.dryRunNote')}</span>}
      </p>
      {!done && (
        <>
          <ProgressBar value={fraction} label={t('imports.progress')} />
          <p className="small" role="status" aria-live="polite">
            {phase
              ? t(`imports.phase.${phase}`, {
                  read: i18n.number(rowsRead),
                  total: rowsTotal === null ? '…' : i18n.number(rowsTotal),
                })
              : t('imports.queued')}
          </p>
          <button type="button" className="button button--danger button--small" onClick={() => void onCancel()}>
            {t('imports.cancel')}
          </button>
        </>
      )}
      <ErrorBanner error={error} />
      {done && (
        <div role="status">
          {imp.status === 'FAILED' && imp.failure && (
            <div className="banner banner--error">
              <p>{i18n.error(failureError(imp.failure))}</p>
              <p className="small muted" lang="en">
                {imp.failure.message}
              </p>
            </div>
          )}
          {imp.status === 'SUCCEEDED' && (
            <p className="success">
              {imp.dryRun ? t('imports.succeededDry') : t('imports.succeeded')}
              {imp.durationMs !== null &&
                ` ${t('imports.duration', { seconds: i18n.number(Math.round(imp.durationMs / 100) / 10) })}`}
            </p>
          )}
          {imp.status === 'CANCELLED' && <Notice tone="warning">{t('imports.cancelled')}</Notice>}
          {imp.status !== 'FAILED' && (
            <dl className="counts">
              {(['created', 'updated', 'unchanged', 'archived', 'rejected'] as const).map((k) => (
                <div key={k} className={`counts__item counts__item--${k}`}>
                  <dt>{t(`imports.count.${k}`)}</dt>
                  <dd>{i18n.number(imp.counts[k])}</dd>
                </div>
              ))}
            </dl>
          )}
        </div>
      )}
      {done && imp.counts.rejected > 0 && (
        <>
          <h3>{t('imports.rejectedRows')}</h3>
          <p>
            <button
              type="button"
              className="button"
              onClick={() => void downloadErrors(imp).catch((err: unknown) => setReportError(err))}
            >
              {t('imports.downloadErrors')}
            </button>
          </p>
          <ErrorBanner error={reportError} />
          {rejected === null && !reportError && <Loading />}
          {rejected && (
            <div className="table-wrap">
              <table className="table">
                <caption className="sr-only">{t('imports.rejectedRows')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('imports.line')}</th>
                    <th scope="col">{t('imports.column')}</th>
                    <th scope="col">{t('imports.reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {rejected.map((r, i) => (
                    <tr key={i}>
                      <td>
                        <span className="cell-label">{t('imports.line')} </span>
                        {r.line}
                      </td>
                      <td>
                        <span className="cell-label">{t('imports.column')} </span>
                        {r.column || '—'}
                      </td>
                      <td>
                        <span className="cell-label">{t('imports.reason')} </span>
                        <span lang={i18n.locale === 'fr' && rejectText('fr', r.reason) === r.reason ? 'en' : undefined}>
                          {rejectText(i18n.locale, r.reason)}
                        </span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {rejected && imp.counts.rejected > rejected.length && (
            <p className="hint">{t('imports.moreRejected', { shown: rejected.length, total: imp.counts.rejected })}</p>
          )}
        </>
      )}
    </section>
  );
}
