import { Link } from 'react-router';
import type { ProfileData } from '../api/profiles';
import { useI18n } from '../i18n/i18n';

export function Avatar({ profile, size = 64 }: { profile: ProfileData; size?: number }) {
  return profile.photo ? (
    <img className="avatar" src={size > 64 ? profile.photo.thumb : profile.photo.small} alt="" width={size} height={size} />
  ) : (
    <span className="avatar avatar--empty" style={{ width: size, height: size }} aria-hidden="true">
      {(profile.firstName[0] ?? '') + (profile.lastName[0] ?? '')}
    </span>
  );
}

export function ProfileCard({ profile: p, fresh }: { profile: ProfileData; fresh: boolean }) {
  const i18n = useI18n();
  const { t } = i18n;
  const mains = p.skills.filter((s) => s.isMain);
  const shown = (mains.length ? mains : p.skills).slice(0, 6);
  return (
    <article className={`profile-card${fresh ? ' profile-card--fresh' : ''}`} aria-labelledby={`pc-${p.id}`}>
      <Avatar profile={p} />
      <div className="profile-card__body">
        <h2 id={`pc-${p.id}`} className="profile-card__name">
          <Link to={`/freelancers/${p.id}`}>
            {p.firstName} {p.lastName}
          </Link>
          {fresh && <span className="badge badge--new">{t('dir.justUpdated')}</span>}
        </h2>
        {p.headline && <p className="profile-card__headline">{p.headline}</p>}
        <p className="profile-card__meta">
          {p.availability && (
            <span className={`badge badge--${p.availability.status.toLowerCase()}`}>
              {t(`availability.${p.availability.status}`)}
            </span>
          )}
          {p.location && <span>{[p.location.city, i18n.country(p.location.countryCode)].filter(Boolean).join(', ')}</span>}
          {p.remote && <span>{t(`remote.${p.remote}`)}</span>}
          {p.dailyRate != null && p.currency && <span>{t('dir.perDay', { amount: i18n.money(p.dailyRate, p.currency) })}</span>}
        </p>
        {shown.length > 0 && (
          <ul className="chips chips--small" aria-label={t('profile.skills')}>
            {shown.map((s) => (
              <li key={s.name} className={`chip${s.isMain ? ' chip--main' : ''}`}>
                {s.name}
              </li>
            ))}
          </ul>
        )}
      </div>
    </article>
  );
}
