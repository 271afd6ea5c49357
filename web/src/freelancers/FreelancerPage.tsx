import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../api/errors';
import { getProfile, ON_UPDATE, updateProfile, type ProfileData } from '../api/profiles';
import { subscribe } from '../api/subscriptions';
import { useI18n } from '../i18n/i18n';
import { LinkIcon } from '../profile/LinkIcon';
import { ErrorBanner, Loading, Notice, PageTitle } from '../ui/ui';
import { NotFound } from '../ui/NotFound';
import { Avatar } from './ProfileCard';

type Internal = { internalNotes: string | null; internalRating: number | null; tags: string[] };
type InternalKey = keyof Internal;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export default function FreelancerPage() {
  const { id = '' } = useParams();
  const i18n = useI18n();
  const { t } = i18n;
  const [profile, setProfile] = useState<ProfileData | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [notes, setNotes] = useState('');
  const [tag, setTag] = useState('');
  const [status, setStatus] = useState<{ tone: 'success' | 'warning'; text: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [liveChange, setLiveChange] = useState(false);
  /** The newest version this page has seen: events for it (our own saves) are not news. */
  const known = useRef(0);
  /** Saves in flight, and the versions announced meanwhile (our own save's event can beat its answer). */
  const saving = useRef(0);
  const heldEvents = useRef<number[]>([]);
  const news = useCallback(() => {
    setLiveChange(true);
  }, []);

  const load = useCallback(async () => {
    try {
      const p = await getProfile(id);
      if (p) known.current = Math.max(known.current, p.version);
      setProfile((old) => {
        // a draft of the notes survives a live refresh; otherwise the box shows the server's text
        setNotes((draft) => (old && draft !== (old.internalNotes ?? '') ? draft : (p?.internalNotes ?? '')));
        return p;
      });
      setLoadError(null);
      return p;
    } catch (err) {
      setLoadError(err);
      return null;
    }
  }, [id]);

  useEffect(() => {
    setProfile(undefined);
    void load();
    return subscribe<{ onUpdateProfile: { id: string; version: number } | null }>(ON_UPDATE, { id }, (d) => {
      if (!d.onUpdateProfile || d.onUpdateProfile.version <= known.current) return;
      if (saving.current > 0) {
        heldEvents.current.push(d.onUpdateProfile.version);
        return;
      }
      news();
      void load();
    });
  }, [id, load, news]);

  if (profile === undefined && !loadError) return <Loading />;
  if (loadError && !profile) {
    return (
      <section className="page">
        <PageTitle title={t('dir.title')}>{t('dir.title')}</PageTitle>
        <ErrorBanner error={loadError} onRetry={() => void load()} />
      </section>
    );
  }
  if (!profile) return <NotFound />;
  const p = profile;

  /** Saves one team field; if someone else changed the profile, retries only when they did not touch that field. */
  const saveInternal = async <K extends InternalKey>(key: K, value: Internal[K]) => {
    setError(null);
    setStatus(null);
    const attempt = (from: ProfileData) => updateProfile({ id: from.id, expectedVersion: from.version, [key]: value }, true);
    saving.current += 1;
    try {
      let saved: ProfileData;
      try {
        saved = await attempt(p);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 'CONFLICT')) throw err;
        const current = await getProfile(p.id);
        if (!current) throw err;
        const theirs = (current as Internal)[key] ?? null;
        const mine = (p as Internal)[key] ?? null;
        if (!same(theirs, mine) && !same(theirs, value)) {
          known.current = Math.max(known.current, current.version);
          setProfile(current);
          setStatus({ tone: 'warning', text: t('freelancer.changedMeanwhile') });
          return;
        }
        known.current = Math.max(known.current, current.version);
        saved = await attempt(current);
      }
      known.current = Math.max(known.current, saved.version);
      setProfile(saved);
      if (key === 'internalNotes') setNotes(saved.internalNotes ?? '');
      setStatus({ tone: 'success', text: t('freelancer.saved') });
    } catch (err) {
      setError(err);
    } finally {
      saving.current -= 1;
      // what was announced during the save and is newer than what we saw is someone else's change
      const later = heldEvents.current.filter((v) => v > known.current);
      heldEvents.current = [];
      if (later.length) {
        news();
        void load();
      }
    }
  };
  const tags = p.tags ?? [];
  const addTag = (e?: FormEvent | KeyboardEvent) => {
    e?.preventDefault();
    const v = tag.trim();
    if (!v || tags.includes(v)) return;
    setTag('');
    void saveInternal('tags', [...tags, v]);
  };
  const title = `${p.firstName} ${p.lastName}`;
  return (
    <section className="page">
      <p>
        <Link to="/freelancers">← {t('freelancer.back')}</Link>
      </p>
      <div className="freelancer-head">
        <Avatar profile={p} size={128} />
        <div>
          <PageTitle title={title}>{title}</PageTitle>
          {p.headline && <p className="lead">{p.headline}</p>}
          <p className="profile-card__meta">
            <span className="muted">@{p.handle}</span>
            {p.availability && (
              <span className={`badge badge--${p.availability.status.toLowerCase()}`}>
                {t(`availability.${p.availability.status}`)}
                {p.availability.availableFrom
                  ? ` · ${t('freelancer.from', { date: i18n.date(p.availability.availableFrom) })}`
                  : ''}
                {p.availability.daysPerWeek ? ` · ${t('freelancer.daysPerWeek', { days: p.availability.daysPerWeek })}` : ''}
              </span>
            )}
            {p.location && <span>{[p.location.city, i18n.country(p.location.countryCode)].filter(Boolean).join(', ')}</span>}
            {p.remote && <span>{t(`remote.${p.remote}`)}</span>}
            {p.dailyRate != null && p.currency && <span>{t('dir.perDay', { amount: i18n.money(p.dailyRate, p.currency) })}</span>}
          </p>
        </div>
      </div>
      {liveChange && <Notice>{t('freelancer.liveUpdated', { time: i18n.dateTime(p.updatedAt) })}</Notice>}
      <div className="freelancer-grid">
        <div>
          <section className="card" aria-labelledby="fp-contact">
            <h2 id="fp-contact">{t('profile.contact')}</h2>
            <dl className="facts">
              {p.email && (
                <>
                  <dt>{t('field.email')}</dt>
                  <dd>
                    <a href={`mailto:${p.email}`}>{p.email}</a>
                  </dd>
                </>
              )}
              {p.phone && (
                <>
                  <dt>{t('field.phone')}</dt>
                  <dd>
                    <a href={`tel:${p.phone}`}>{p.phone}</a>
                  </dd>
                </>
              )}
              <dt>{t('files.cv')}</dt>
              <dd>
                {p.cv ? (
                  <a href={p.cv.url} target="_blank" rel="noreferrer">
                    {t('freelancer.downloadCv', { name: p.cv.fileName })}
                  </a>
                ) : (
                  <span className="muted">{t('files.noCv')}</span>
                )}
              </dd>
              <dt>{t('freelancer.updated')}</dt>
              <dd>{i18n.dateTime(p.updatedAt)}</dd>
            </dl>
          </section>
          {p.bio && (
            <section className="card" aria-labelledby="fp-bio">
              <h2 id="fp-bio">{t('field.bio')}</h2>
              <p className="prewrap">{p.bio}</p>
            </section>
          )}
          <section className="card" aria-labelledby="fp-skills">
            <h2 id="fp-skills">{t('profile.skills')}</h2>
            {p.skills.length === 0 ? (
              <p className="muted">{t('freelancer.noSkills')}</p>
            ) : (
              <ul className="chips">
                {p.skills.map((s) => (
                  <li key={s.name} className={`chip${s.isMain ? ' chip--main' : ''}`}>
                    {s.isMain && <span aria-label={t('profile.main')}>★ </span>}
                    {s.name} · {t(`skill.level.${s.level as 1 | 2 | 3 | 4 | 5}`)}
                    {s.years != null ? ` · ${t('freelancer.years', { years: i18n.number(s.years) })}` : ''}
                  </li>
                ))}
              </ul>
            )}
            {p.languages.length > 0 && (
              <>
                <h3>{t('profile.languages')}</h3>
                <ul className="plain">
                  {p.languages.map((l) => (
                    <li key={l.code}>
                      {i18n.language(l.code)} — {l.level === 'NATIVE' ? t('profile.native') : l.level}
                    </li>
                  ))}
                </ul>
              </>
            )}
            {p.links.length > 0 && (
              <>
                <h3>{t('profile.links')}</h3>
                <ul className="plain links">
                  {p.links.map((l) => (
                    <li key={l.url}>
                      <LinkIcon type={l.type} />{' '}
                      <a href={l.url} target="_blank" rel="noreferrer">
                        {t(`link.${l.type}`)}
                      </a>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>
        </div>
        <section className="card internal" aria-labelledby="fp-internal">
          <h2 id="fp-internal">{t('freelancer.internal')}</h2>
          <p className="hint">{t('freelancer.internalHint')}</p>
          <ErrorBanner error={error} />
          {status && <Notice tone={status.tone}>{status.text}</Notice>}
          <fieldset className="fieldset rating">
            <legend>{t('freelancer.rating')}</legend>
            <div className="stars">
              {[1, 2, 3, 4, 5].map((n) => (
                <label key={n} className={`star${(p.internalRating ?? 0) >= n ? ' star--on' : ''}`}>
                  <input
                    type="radio"
                    name="rating"
                    className="sr-only"
                    checked={p.internalRating === n}
                    onChange={() => void saveInternal('internalRating', n)}
                  />
                  <span aria-hidden="true">★</span>
                  <span className="sr-only">{t('freelancer.stars', { count: n })}</span>
                </label>
              ))}
              {p.internalRating != null && (
                <button type="button" className="linklike" onClick={() => void saveInternal('internalRating', null)}>
                  {t('freelancer.clearRating')}
                </button>
              )}
            </div>
          </fieldset>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void saveInternal('internalNotes', notes.trim() ? notes : null);
            }}
          >
            <div className="field">
              <label htmlFor="fp-notes">{t('freelancer.notes')}</label>
              <textarea id="fp-notes" rows={6} value={notes} onChange={(e) => setNotes(e.target.value)} />
            </div>
            <button type="submit" className="button" disabled={notes === (p.internalNotes ?? '')}>
              {t('freelancer.saveNotes')}
            </button>
          </form>
          <div className="fieldset tags-box">
            <h3 id="fp-tags">{t('freelancer.tags')}</h3>
            {tags.length === 0 && <p className="muted">{t('freelancer.noTags')}</p>}
            <ul className="chips" aria-labelledby="fp-tags">
              {tags.map((tg) => (
                <li key={tg} className="chip">
                  {tg}
                  <button
                    type="button"
                    className="chip__remove"
                    aria-label={t('freelancer.removeTag', { tag: tg })}
                    onClick={() =>
                      void saveInternal(
                        'tags',
                        tags.filter((x) => x !== tg),
                      )
                    }
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
            <div className="add-row">
              <div className="field">
                <label htmlFor="fp-tag">{t('freelancer.newTag')}</label>
                <input
                  id="fp-tag"
                  value={tag}
                  onChange={(e) => setTag(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') addTag(e);
                  }}
                />
              </div>
              <button type="button" className="button" disabled={!tag.trim()} onClick={() => addTag()}>
                {t('freelancer.addTag')}
              </button>
            </div>
          </div>
        </section>
      </div>
    </section>
  );
}
