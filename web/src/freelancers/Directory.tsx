import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import {
  listProfiles,
  ON_CREATE,
  ON_UPDATE,
  type AvailabilityStatus,
  type ProfileData,
  type ProfileFilterInput,
  type RemotePreference,
} from '../api/profiles';
import { subscribe } from '../api/subscriptions';
import { useI18n } from '../i18n/i18n';
import { AVAILABILITY, byName, COUNTRIES, CURRENCIES, REMOTE } from '../profile/codes';
import { Empty, ErrorBanner, Loading, PageTitle, SelectField, TextField } from '../ui/ui';
import { ProfileCard } from './ProfileCard';

/** The filter as kept in the address (shareable, survives reloads). */
function filterOf(params: URLSearchParams): ProfileFilterInput {
  const skills = (params.get('skills') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const rate = Number(params.get('maxRate'));
  return {
    ...(skills.length ? { skills, skillsMatch: params.get('match') === 'ALL' ? 'ALL' : 'ANY' } : {}),
    ...(params.get('availability') ? { availabilityStatus: params.get('availability') as AvailabilityStatus } : {}),
    ...(params.get('country') ? { countryCode: params.get('country')! } : {}),
    ...(params.get('remote') ? { remote: params.get('remote') as RemotePreference } : {}),
    ...(params.get('maxRate') && Number.isInteger(rate) && rate > 0
      ? { maxDailyRate: rate, currency: params.get('currency') ?? 'EUR' }
      : {}),
  };
}

type Results =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; items: ProfileData[]; nextToken: string | null };

export default function Directory() {
  const i18n = useI18n();
  const { t } = i18n;
  const [params, setParams] = useSearchParams();
  const [draft, setDraft] = useState(() => Object.fromEntries(params.entries()));
  const [results, setResults] = useState<Results>({ status: 'loading' });
  const [fresh, setFresh] = useState<Record<string, number>>({});
  const [live, setLive] = useState<'connecting' | 'on' | 'off'>('connecting');
  const [more, setMore] = useState(false);
  const filterKey = params.toString();
  const run = useRef(0);
  // every filter in view on a wide screen; on a phone the skills box first, the rest one tap away
  const [wide] = useState(() => window.matchMedia('(min-width: 900px)').matches);

  const load = useCallback(async () => {
    const mine = ++run.current;
    try {
      const page = await listProfiles(filterOf(new URLSearchParams(filterKey)), null);
      if (mine === run.current) setResults({ status: 'ready', items: page.items, nextToken: page.nextToken });
    } catch (error) {
      if (mine === run.current) setResults({ status: 'error', error });
    }
  }, [filterKey]);

  useEffect(() => {
    setResults({ status: 'loading' });
    void load();
  }, [load]);

  // live: any created or changed profile reloads the first page (the filter decides whether it belongs)
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const changed = (id: string) => {
      setFresh((f) => ({ ...f, [id]: Date.now() }));
      clearTimeout(timer);
      timer = setTimeout(() => void load(), 150);
    };
    const stops = [
      subscribe<{ onUpdateProfile: { id: string } | null }>(
        ON_UPDATE,
        {},
        (d) => d.onUpdateProfile && changed(d.onUpdateProfile.id),
        () => setLive('off'),
      ),
      subscribe<{ onCreateProfile: { id: string } | null }>(
        ON_CREATE,
        {},
        (d) => d.onCreateProfile && changed(d.onCreateProfile.id),
        () => setLive('off'),
      ),
    ];
    setLive('on');
    return () => {
      clearTimeout(timer);
      stops.forEach((s) => s());
    };
  }, [load]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries(draft)) if (v) next.set(k, v);
    setParams(next);
  };
  const loadMore = async () => {
    if (results.status !== 'ready' || !results.nextToken) return;
    setMore(true);
    try {
      const page = await listProfiles(filterOf(params), results.nextToken);
      setResults({ status: 'ready', items: [...results.items, ...page.items], nextToken: page.nextToken });
    } catch (error) {
      setResults({ status: 'error', error });
    } finally {
      setMore(false);
    }
  };
  const d = (k: string) => draft[k] ?? '';
  const setD = (k: string, v: string) => setDraft({ ...draft, [k]: v });

  return (
    <section className="page page--wide">
      <PageTitle title={t('dir.title')}>{t('dir.title')}</PageTitle>
      <div className="directory">
        <form className="filters card" onSubmit={apply} aria-label={t('dir.filters')} role="search">
          <TextField
            label={t('dir.skills')}
            hint={t('dir.skillsHint')}
            value={d('skills')}
            onChange={(e) => setD('skills', e.target.value)}
          />
          <details className="more-filters" open={wide}>
            <summary>{t('dir.moreFilters')}</summary>
            <SelectField
              label={t('dir.match')}
              value={d('match') || 'ANY'}
              options={[
                { value: 'ANY', label: t('dir.matchAny') },
                { value: 'ALL', label: t('dir.matchAll') },
              ]}
              onChange={(e) => setD('match', e.target.value)}
            />
            <SelectField
              label={t('field.availability')}
              value={d('availability')}
              options={[
                { value: '', label: t('common.any') },
                ...AVAILABILITY.map((a) => ({ value: a, label: t(`availability.${a}`) })),
              ]}
              onChange={(e) => setD('availability', e.target.value)}
            />
            <SelectField
              label={t('field.country')}
              value={d('country')}
              options={[{ value: '', label: t('common.any') }, ...byName(COUNTRIES, i18n.country, i18n.locale)]}
              onChange={(e) => setD('country', e.target.value)}
            />
            <SelectField
              label={t('field.remote')}
              value={d('remote')}
              options={[{ value: '', label: t('common.any') }, ...REMOTE.map((r) => ({ value: r, label: t(`remote.${r}`) }))]}
              onChange={(e) => setD('remote', e.target.value)}
            />
            <div className="grid2 grid2--tight">
              <TextField
                label={t('dir.maxRate')}
                inputMode="numeric"
                value={d('maxRate')}
                onChange={(e) => setD('maxRate', e.target.value.replace(/\D/g, ''))}
              />
              <SelectField
                label={t('field.currency')}
                value={d('currency') || 'EUR'}
                options={CURRENCIES.map((c) => ({ value: c, label: c }))}
                onChange={(e) => setD('currency', e.target.value)}
              />
            </div>
          </details>
          <div className="filters__actions">
            <button type="submit" className="button button--primary">
              {t('dir.search')}
            </button>
            <button
              type="button"
              className="button button--ghost"
              onClick={() => {
                setDraft({});
                setParams(new URLSearchParams());
              }}
            >
              {t('dir.reset')}
            </button>
          </div>
        </form>
        <div className="results">
          <p className="live-indicator" aria-live="polite">
            <span className={`dot dot--${live}`} aria-hidden="true" /> {live === 'off' ? t('dir.liveOff') : t('dir.liveOn')}
          </p>
          {results.status === 'loading' && <Loading />}
          {results.status === 'error' && <ErrorBanner error={results.error} onRetry={() => void load()} />}
          {results.status === 'ready' &&
            (results.items.length === 0 ? (
              <Empty title={filterKey ? t('dir.noMatch') : t('dir.empty')}>
                <p>{filterKey ? t('dir.noMatchHint') : t('dir.emptyHint')}</p>
              </Empty>
            ) : (
              <>
                <p className="muted" role="status">
                  {t('dir.count', { count: results.items.length })}
                  {results.nextToken ? '+' : ''}
                </p>
                <ul className="cards">
                  {results.items.map((p) => (
                    <li key={p.id}>
                      <ProfileCard profile={p} fresh={(fresh[p.id] ?? 0) > Date.now() - 10_000} />
                    </li>
                  ))}
                </ul>
                {results.nextToken && (
                  <button type="button" className="button" disabled={more} onClick={() => void loadMore()}>
                    {more ? t('common.loading') : t('dir.more')}
                  </button>
                )}
              </>
            ))}
        </div>
      </div>
    </section>
  );
}
