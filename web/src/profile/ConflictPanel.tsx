import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useI18n, type I18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import { inputOf, type FieldGroup, type ProfileForm } from './profile-form';

const LABEL: Record<FieldGroup, MessageKey> = {
  handle: 'field.handle',
  firstName: 'field.firstName',
  lastName: 'field.lastName',
  email: 'field.email',
  phone: 'field.phone',
  headline: 'field.headline',
  bio: 'field.bio',
  location: 'field.location',
  remote: 'field.remote',
  dailyRate: 'field.dailyRate',
  currency: 'field.currency',
  availability: 'field.availability',
  skills: 'profile.skills',
  languages: 'profile.languages',
  links: 'profile.links',
  visibility: 'field.visibility',
};

/** One field's value as a short readable text. */
function summary(group: FieldGroup, f: ProfileForm, i18n: I18n): string {
  const { t } = i18n;
  const v = inputOf(f);
  const none = t('common.empty');
  switch (group) {
    case 'location':
      return v.location
        ? [v.location.city, v.location.countryCode ? i18n.country(v.location.countryCode) : null].filter(Boolean).join(', ')
        : none;
    case 'remote':
      return v.remote ? t(`remote.${v.remote}`) : none;
    case 'dailyRate':
      return v.dailyRate != null && Number.isFinite(v.dailyRate) ? i18n.money(v.dailyRate, f.currency || 'EUR') : none;
    case 'availability':
      return v.availability
        ? [
            t(`availability.${v.availability.status}`),
            v.availability.availableFrom ? i18n.date(v.availability.availableFrom) : null,
          ]
            .filter(Boolean)
            .join(' · ')
        : none;
    case 'skills':
      return v.skills.length ? v.skills.map((s) => `${s.name} (${s.level})${s.isMain ? ' ★' : ''}`).join(', ') : none;
    case 'languages':
      return v.languages.length ? v.languages.map((l) => `${i18n.language(l.code)} ${l.level}`).join(', ') : none;
    case 'links':
      return v.links.length ? v.links.map((l) => l.url).join(', ') : none;
    case 'visibility':
      return t(`visibility.${v.visibility}`);
    case 'handle':
    case 'firstName':
    case 'lastName':
    case 'email':
    case 'phone':
    case 'headline':
    case 'bio':
    case 'currency':
      return v[group] || none;
  }
}

/** The profile changed elsewhere and both sides changed these fields: the user picks, field by field. */
export function ConflictPanel({
  conflict,
  mine,
  theirs,
  onResolve,
}: {
  conflict: FieldGroup[];
  mine: ProfileForm;
  theirs: ProfileForm;
  onResolve: (choices: Record<FieldGroup, 'mine' | 'theirs'>) => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [choices, setChoices] = useState<Partial<Record<FieldGroup, 'mine' | 'theirs'>>>({});
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const complete = conflict.every((g) => choices[g]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (complete) onResolve(choices as Record<FieldGroup, 'mine' | 'theirs'>);
  };
  return (
    <form className="conflict card" onSubmit={submit} aria-labelledby="conflict-title">
      <h2 id="conflict-title" ref={heading} tabIndex={-1}>
        {t('conflict.title')}
      </h2>
      <p>{t('conflict.intro')}</p>
      {conflict.map((g) => (
        <fieldset key={g} className="conflict__field">
          <legend>{t(LABEL[g])}</legend>
          <label className="radio">
            <input
              type="radio"
              name={`conflict-${g}`}
              checked={choices[g] === 'mine'}
              onChange={() => setChoices({ ...choices, [g]: 'mine' })}
            />
            <span>
              <strong>{t('conflict.mine')}</strong> {summary(g, mine, i18n)}
            </span>
          </label>
          <label className="radio">
            <input
              type="radio"
              name={`conflict-${g}`}
              checked={choices[g] === 'theirs'}
              onChange={() => setChoices({ ...choices, [g]: 'theirs' })}
            />
            <span>
              <strong>{t('conflict.theirs')}</strong> {summary(g, theirs, i18n)}
            </span>
          </label>
        </fieldset>
      ))}
      <div className="conflict__actions">
        <button
          type="button"
          className="button"
          onClick={() => setChoices(Object.fromEntries(conflict.map((g) => [g, 'theirs'])))}
        >
          {t('conflict.allTheirs')}
        </button>
        <button type="button" className="button" onClick={() => setChoices(Object.fromEntries(conflict.map((g) => [g, 'mine'])))}>
          {t('conflict.allMine')}
        </button>
        <button type="submit" className="button button--primary" disabled={!complete}>
          {t('conflict.apply')}
        </button>
      </div>
    </form>
  );
}
