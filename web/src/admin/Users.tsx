import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { Group, User } from '../auth/session';
import { useI18n } from '../i18n/i18n';
import { fieldErrorsOf } from '../ui/form-errors';
import { Empty, ErrorBanner, Loading, Notice, PageTitle } from '../ui/ui';
import { useLoad } from '../ui/use-load';

interface Account {
  id: string;
  email: string;
  groups: Group[];
  disabled: boolean;
  emailVerified: boolean;
  locale: string;
  createdAt: string;
}
interface Page {
  items: Account[];
  nextToken: string | null;
}
const GROUPS: Group[] = ['freelancer', 'team', 'admin', 'partner'];

function UserRow({ account, me, onSaved }: { account: Account; me: User; onSaved: (a: Account) => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [groups, setGroups] = useState<Group[]>(account.groups);
  const [error, setError] = useState<unknown>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => setGroups(account.groups), [account.groups]);
  const dirty = [...groups].sort().join() !== [...account.groups].sort().join();
  const save = async () => {
    setError(null);
    setFieldError(null);
    setSaved(false);
    try {
      onSaved(
        await api<Account>(`/auth/admin/users/${encodeURIComponent(account.id)}/groups`, { method: 'PUT', body: { groups } }),
      );
      setSaved(true);
    } catch (err) {
      setError(err);
      setFieldError(fieldErrorsOf(err, i18n).groups ?? null);
    }
  };
  const toggleDisabled = async () => {
    setError(null);
    try {
      onSaved(
        await api<Account>(`/auth/admin/users/${encodeURIComponent(account.id)}/disabled`, {
          method: 'PUT',
          body: { disabled: !account.disabled },
        }),
      );
    } catch (err) {
      setError(err);
    }
  };
  return (
    <tr>
      <th scope="row">
        <span className="cell-title">{account.email}</span>
        <span className="muted small">
          {account.emailVerified ? t('users.verified') : t('users.unverified')} · {i18n.date(account.createdAt)}
          {account.disabled ? ` · ${t('users.disabled')}` : ''}
        </span>
      </th>
      <td>
        <fieldset className="groups">
          <legend className="sr-only">{t('users.groupsOf', { email: account.email })}</legend>
          {GROUPS.map((g) => (
            <label key={g} className="checkbox">
              <input
                type="checkbox"
                checked={groups.includes(g)}
                onChange={(e) => setGroups(e.target.checked ? [...groups, g] : groups.filter((x) => x !== g))}
              />
              {t(`group.${g}`)}
            </label>
          ))}
        </fieldset>
        {groups.length === 0 && <p className="field-error">{t('users.oneGroup')}</p>}
        {fieldError && <p className="field-error">{fieldError}</p>}
        {error !== null && !fieldError && <ErrorBanner error={error} />}
        {saved && !dirty && (
          <p className="success small" role="status">
            {t('users.saved')}
          </p>
        )}
      </td>
      <td className="actions">
        <button
          type="button"
          className="button button--small button--primary"
          disabled={!dirty || groups.length === 0}
          onClick={() => void save()}
        >
          {t('users.saveGroups')}
        </button>
        {account.id !== me.id && (
          <button type="button" className="button button--small button--ghost" onClick={() => void toggleDisabled()}>
            {account.disabled ? t('users.enable') : t('users.disable')}
          </button>
        )}
      </td>
    </tr>
  );
}

export default function Users({ me }: { me: User }) {
  const { t } = useI18n();
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, reload, set] = useLoad(
    () => api<Page>(`/auth/admin/users?limit=50${cursor ? `&nextToken=${encodeURIComponent(cursor)}` : ''}`),
    [cursor],
  );
  return (
    <section className="page page--wide">
      <PageTitle title={t('users.title')}>{t('users.title')}</PageTitle>
      <Notice>{t('users.intro')}</Notice>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorBanner error={state.error} onRetry={reload} />}
      {state.status === 'ready' &&
        (state.data.items.length === 0 ? (
          <Empty title={t('users.empty')} />
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">{t('users.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('field.email')}</th>
                  <th scope="col">{t('users.groups')}</th>
                  <th scope="col">
                    <span className="sr-only">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {state.data.items.map((a) => (
                  <UserRow
                    key={a.id}
                    account={a}
                    me={me}
                    onSaved={(saved) =>
                      set({ ...state.data, items: state.data.items.map((x) => (x.id === saved.id ? saved : x)) })
                    }
                  />
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
        {state.status === 'ready' && state.data.nextToken && (
          <button type="button" className="button" onClick={() => setCursor(state.data.nextToken)}>
            {t('common.next')}
          </button>
        )}
      </div>
    </section>
  );
}
