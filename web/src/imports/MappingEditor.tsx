import { useEffect, useState } from 'react';
import { getMapping, MAPPING_FIELDS, saveMapping } from '../api/catalog';
import { useI18n } from '../i18n/i18n';
import { fieldErrorsOf } from '../ui/form-errors';
import { ErrorBanner, Loading } from '../ui/ui';
import { useLoad } from '../ui/use-load';

interface Row {
  header: string;
  field: string;
}

/** The partner's saved column mapping: file header → product field; it wins over the automatic detection. */
export function MappingEditor({ partnerId }: { partnerId: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [state, reload] = useLoad(() => getMapping(partnerId), [partnerId]);
  const [rows, setRows] = useState<Row[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => {
    if (state.status === 'ready') setRows(Object.entries(state.data.mapping ?? {}).map(([header, field]) => ({ header, field })));
  }, [state]);
  const save = async () => {
    setError(null);
    setSaved(null);
    const mapping: Record<string, string> = {};
    for (const r of rows) if (r.header.trim()) mapping[r.header.trim()] = r.field;
    try {
      const res = await saveMapping(partnerId, mapping);
      setRows(Object.entries(res.mapping).map(([header, field]) => ({ header, field })));
      setSaved(new Date().toISOString());
    } catch (err) {
      setError(err);
    }
  };
  const fieldErrors = error ? fieldErrorsOf(error, i18n) : {};
  return (
    <section className="card mapping" aria-labelledby="mapping-title">
      <h2 id="mapping-title">{t('mapping.title')}</h2>
      <p className="hint">{t('mapping.intro')}</p>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorBanner error={state.error} onRetry={reload} />}
      {state.status === 'ready' && (
        <>
          {rows.length === 0 && <p className="muted">{t('mapping.empty')}</p>}
          <ul className="plain mapping__rows">
            {rows.map((r, i) => (
              <li key={i} className="mapping__row">
                <label>
                  <span>{t('mapping.header')}</span>
                  <input
                    value={r.header}
                    onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, header: e.target.value } : x)))}
                  />
                </label>
                <label>
                  <span>{t('mapping.field')}</span>
                  <select
                    value={r.field}
                    onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, field: e.target.value } : x)))}
                  >
                    {MAPPING_FIELDS.map((f) => (
                      <option key={f} value={f}>
                        {t(`mapping.f.${f}`)}
                      </option>
                    ))}
                  </select>
                </label>
                <button
                  type="button"
                  className="button button--small button--ghost"
                  aria-label={t('mapping.removeRow', { header: r.header || '—' })}
                  onClick={() => setRows(rows.filter((_, j) => j !== i))}
                >
                  {t('common.remove')}
                </button>
              </li>
            ))}
          </ul>
          {Object.keys(fieldErrors).length > 0 && (
            <ul className="field-error">
              {Object.entries(fieldErrors).map(([path, msg]) => (
                <li key={path}>
                  {path.replace(/^mapping\.?/, '') || t('mapping.title')} : {msg}
                </li>
              ))}
            </ul>
          )}
          {Object.keys(fieldErrors).length === 0 && <ErrorBanner error={error} />}
          <div className="actions">
            <button type="button" className="button" onClick={() => setRows([...rows, { header: '', field: 'attribute' }])}>
              {t('mapping.addRow')}
            </button>
            <button type="button" className="button button--primary" onClick={() => void save()}>
              {t('mapping.save')}
            </button>
          </div>
          {saved && (
            <p className="success small" role="status">
              {t('mapping.saved', { time: i18n.dateTime(saved) })}
            </p>
          )}
        </>
      )}
    </section>
  );
}
