import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import {
  addMember,
  createPartner,
  listMembers,
  listPartners,
  removeMember,
  updatePartner,
  type Partner,
  type PartnerFields,
} from '../api/catalog';
import { useI18n } from '../i18n/i18n';
import { fieldErrorsOf } from '../ui/form-errors';
import { Empty, ErrorBanner, Loading, Notice, PageTitle, SelectField, TextField } from '../ui/ui';
import { useLoad } from '../ui/use-load';

interface Account {
  id: string;
  email: string;
  groups: string[];
}

function PartnerForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial: PartnerFields;
  submitLabel: string;
  onSubmit: (f: PartnerFields) => Promise<void>;
  onCancel?: () => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [f, setF] = useState(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = error ? fieldErrorsOf(error, i18n) : {};
  const at = (k: keyof PartnerFields) => errors[k] ?? errors[`body.${k}`];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await onSubmit(f);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form noValidate onSubmit={(e) => void submit(e)} className="partner-form">
      <ErrorBanner error={error} />
      <div className="grid3">
        <TextField
          label={t('partners.name')}
          value={f.name}
          error={at('name')}
          onChange={(e) => setF({ ...f, name: e.target.value })}
        />
        <TextField
          label={t('partners.slug')}
          hint={t('partners.slugHint')}
          value={f.slug}
          error={
            at('slug') ??
            (error instanceof Error && 'code' in error && error.code === 'CONFLICT' ? t('partners.slugTaken') : undefined)
          }
          onChange={(e) => setF({ ...f, slug: e.target.value })}
        />
        <TextField
          label={t('partners.contactEmail')}
          type="email"
          value={f.contactEmail}
          error={at('contactEmail')}
          onChange={(e) => setF({ ...f, contactEmail: e.target.value })}
        />
      </div>
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button button--ghost" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

/** Members: accounts of the `partner` group (set on the users screen) made members of this partner. */
function Members({ partner, accounts }: { partner: Partner; accounts: Account[] }) {
  const { t } = useI18n();
  const [chosen, setChosen] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const email = accounts.find((a) => a.id === chosen)?.email ?? '';
  const [members, setMembers] = useState<string[] | null>(null);
  const reload = useCallback(() => {
    listMembers(partner.id).then(setMembers, setError);
  }, [partner.id]);
  useEffect(reload, [reload]);
  const emailOf = (id: string) => accounts.find((a) => a.id === id)?.email ?? id;
  const run = async (add: boolean) => {
    setError(null);
    setMessage(null);
    try {
      if (add) await addMember(partner.id, chosen);
      else await removeMember(partner.id, chosen);
      setMessage(t(add ? 'partners.memberAdded' : 'partners.memberRemoved', { email, partner: partner.name }));
      reload();
    } catch (err) {
      setError(err);
    }
  };
  if (accounts.length === 0) return <p className="hint">{t('partners.noPartnerAccounts')}</p>;
  return (
    <div className="members">
      {members && (
        <p className="small">
          {members.length === 0
            ? t('partners.noMembers')
            : t('partners.currentMembers', { emails: members.map(emailOf).join(', ') })}
        </p>
      )}
      <div className="toolbar">
        <SelectField
          label={t('partners.memberAccount', { partner: partner.name })}
          value={chosen}
          onChange={(e) => setChosen(e.target.value)}
          options={[{ value: '', label: t('partners.chooseAccount') }, ...accounts.map((a) => ({ value: a.id, label: a.email }))]}
        />
        <button type="button" className="button" disabled={!chosen} onClick={() => void run(true)}>
          {t('partners.addMember')}
        </button>
        <button type="button" className="button button--ghost" disabled={!chosen} onClick={() => void run(false)}>
          {t('partners.removeMember')}
        </button>
      </div>
      <ErrorBanner error={error} />
      {message && (
        <p className="success small" role="status">
          {message}
        </p>
      )}
    </div>
  );
}

async function partnerAccounts(): Promise<Account[]> {
  const out: Account[] = [];
  let next: string | null = null;
  do {
    const page: { items: Account[]; nextToken: string | null } = await api(
      `/auth/admin/users?limit=100${next ? `&nextToken=${encodeURIComponent(next)}` : ''}`,
    );
    out.push(...page.items.filter((a) => a.groups.includes('partner')));
    next = page.nextToken;
  } while (next && out.length < 500);
  return out;
}

export default function Partners() {
  const i18n = useI18n();
  const { t } = i18n;
  const [state, reload, set] = useLoad(async () => {
    const [partners, accounts] = await Promise.all([listPartners(), partnerAccounts()]);
    return { partners: partners.items, accounts };
  }, []);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  return (
    <section className="page page--wide">
      <PageTitle title={t('partners.title')}>{t('partners.title')}</PageTitle>
      <Notice>{t('partners.intro')}</Notice>
      {created && (
        <p className="success" role="status">
          {t('partners.created', { name: created })}
        </p>
      )}
      {creating ? (
        <section className="card" aria-labelledby="new-partner">
          <h2 id="new-partner">{t('partners.new')}</h2>
          <PartnerForm
            initial={{ name: '', slug: '', contactEmail: '' }}
            submitLabel={t('partners.create')}
            onCancel={() => setCreating(false)}
            onSubmit={async (f) => {
              const p = await createPartner(f);
              setCreating(false);
              setCreated(p.name);
              if (state.status === 'ready') set({ ...state.data, partners: [p, ...state.data.partners] });
            }}
          />
        </section>
      ) : (
        <p>
          <button type="button" className="button button--primary" onClick={() => (setCreating(true), setCreated(null))}>
            {t('partners.new')}
          </button>
        </p>
      )}
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorBanner error={state.error} onRetry={reload} />}
      {state.status === 'ready' &&
        (state.data.partners.length === 0 ? (
          <Empty title={t('partners.empty')}>
            <p>{t('partners.emptyHint')}</p>
          </Empty>
        ) : (
          <ul className="plain partner-list">
            {state.data.partners.map((p) => (
              <li key={p.id} className="card">
                <h2 className="partner__name">{p.name}</h2>
                <p className="muted small">
                  {p.slug} · {p.contactEmail} · {t('partners.since', { date: i18n.date(p.createdAt) })}
                </p>
                {editing === p.id ? (
                  <PartnerForm
                    initial={{ name: p.name, slug: p.slug, contactEmail: p.contactEmail }}
                    submitLabel={t('partners.save')}
                    onCancel={() => setEditing(null)}
                    onSubmit={async (f) => {
                      const saved = await updatePartner(p.id, f);
                      setEditing(null);
                      set({ ...state.data, partners: state.data.partners.map((x) => (x.id === saved.id ? saved : x)) });
                    }}
                  />
                ) : (
                  <p>
                    <button
                      type="button"
                      className="button button--small"
                      aria-label={t('partners.editOf', { name: p.name })}
                      onClick={() => setEditing(p.id)}
                    >
                      {t('partners.edit')}
                    </button>
                  </p>
                )}
                <h3 className="small">{t('partners.members')}</h3>
                <Members partner={p} accounts={state.data.accounts} />
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
