import { useId, useState, type KeyboardEvent } from 'react';
import type { LanguageLevel, LinkType } from '../api/profiles';
import { useI18n } from '../i18n/i18n';
import type { FieldErrors } from '../ui/form-errors';
import { byName, LANGUAGE_LEVELS, LANGUAGES, LINK_TYPES } from './codes';
import { LinkIcon } from './LinkIcon';
import { MAX_MAIN_SKILLS, type ProfileForm, type SkillRow } from './profile-form';

const LEVELS = [1, 2, 3, 4, 5] as const;

function ItemError({ errors, prefix }: { errors: FieldErrors; prefix: string }) {
  const messages = Object.entries(errors).filter(([p, m]) => m && (p === prefix || p.startsWith(`${prefix}.`)));
  if (!messages.length) return null;
  return <p className="field-error">{messages.map(([, m]) => m).join(' ')}</p>;
}

export function SkillsEditor({
  skills,
  onChange,
  errors,
}: {
  skills: SkillRow[];
  onChange: (s: SkillRow[]) => void;
  errors: FieldErrors;
}) {
  const { t } = useI18n();
  const id = useId();
  const [name, setName] = useState('');
  const [level, setLevel] = useState(3);
  const mains = skills.filter((s) => s.isMain).length;
  const set = (i: number, patch: Partial<SkillRow>) => onChange(skills.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const add = () => {
    const n = name.trim();
    if (!n) return;
    if (!skills.some((s) => s.name.toLowerCase() === n.toLowerCase()))
      onChange([...skills, { name: n, level, years: '', isMain: false }]);
    setName('');
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      add();
    }
  };
  return (
    <fieldset className="fieldset" aria-describedby={`${id}-hint`}>
      <legend>{t('profile.skills')}</legend>
      <p className="hint" id={`${id}-hint`}>
        {t('profile.skillsHint', { count: mains, max: MAX_MAIN_SKILLS })}
      </p>
      {errors.skills && <p className="field-error">{errors.skills}</p>}
      {skills.length === 0 && <p className="muted">{t('profile.noSkills')}</p>}
      <ul className="chips">
        {skills.map((s, i) => (
          <li
            key={s.name}
            className={`chip${s.isMain ? ' chip--main' : ''}${Object.keys(errors).some((p) => p.startsWith(`skills.${i}.`)) ? ' chip--invalid' : ''}`}
          >
            <span className="chip__name">{s.name}</span>
            <label className="sr-only" htmlFor={`${id}-lvl-${i}`}>
              {t('profile.levelOf', { name: s.name })}
            </label>
            <select id={`${id}-lvl-${i}`} value={s.level} onChange={(e) => set(i, { level: Number(e.target.value) })}>
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {l} · {t(`skill.level.${l}`)}
                </option>
              ))}
            </select>
            <label className="sr-only" htmlFor={`${id}-yrs-${i}`}>
              {t('profile.yearsOf', { name: s.name })}
            </label>
            <input
              id={`${id}-yrs-${i}`}
              className="chip__years"
              inputMode="decimal"
              placeholder={t('profile.yearsShort')}
              value={s.years}
              onChange={(e) => set(i, { years: e.target.value })}
            />
            <button
              type="button"
              className="chip__toggle"
              aria-pressed={s.isMain}
              disabled={!s.isMain && mains >= MAX_MAIN_SKILLS}
              title={!s.isMain && mains >= MAX_MAIN_SKILLS ? t('profile.mainFull', { max: MAX_MAIN_SKILLS }) : undefined}
              onClick={() => set(i, { isMain: !s.isMain })}
            >
              <span aria-hidden="true">{s.isMain ? '★' : '☆'}</span> {t('profile.main')}
              <span className="sr-only"> ({s.name})</span>
            </button>
            <button
              type="button"
              className="chip__remove"
              aria-label={t('profile.removeSkill', { name: s.name })}
              onClick={() => onChange(skills.filter((_, j) => j !== i))}
            >
              ×
            </button>
            <ItemError errors={errors} prefix={`skills.${i}`} />
          </li>
        ))}
      </ul>
      <div className="add-row">
        <div className="field">
          <label htmlFor={`${id}-new`}>{t('profile.newSkill')}</label>
          <input
            id={`${id}-new`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            onKeyDown={onKey}
            placeholder={t('profile.newSkillPlaceholder')}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-newlvl`}>{t('profile.level')}</label>
          <select id={`${id}-newlvl`} value={level} onChange={(e) => setLevel(Number(e.target.value))}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l} · {t(`skill.level.${l}`)}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="button" onClick={add} disabled={!name.trim()}>
          {t('profile.addSkill')}
        </button>
      </div>
    </fieldset>
  );
}

export function LanguagesEditor({
  languages,
  onChange,
  errors,
}: {
  languages: ProfileForm['languages'];
  onChange: (l: ProfileForm['languages']) => void;
  errors: FieldErrors;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const id = useId();
  const options = byName(LANGUAGES, i18n.language, i18n.locale);
  const set = (i: number, patch: Partial<{ code: string; level: LanguageLevel }>) =>
    onChange(languages.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  return (
    <fieldset className="fieldset">
      <legend>{t('profile.languages')}</legend>
      {errors.languages && <p className="field-error">{errors.languages}</p>}
      {languages.length === 0 && <p className="muted">{t('profile.noLanguages')}</p>}
      <ul className="rows">
        {languages.map((l, i) => (
          <li key={i} className="row">
            <div className="field">
              <label htmlFor={`${id}-code-${i}`}>{t('profile.language')}</label>
              <select id={`${id}-code-${i}`} value={l.code} onChange={(e) => set(i, { code: e.target.value })}>
                {!LANGUAGES.includes(l.code) && <option value={l.code}>{i18n.language(l.code)}</option>}
                {options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-lvl-${i}`}>{t('profile.level')}</label>
              <select id={`${id}-lvl-${i}`} value={l.level} onChange={(e) => set(i, { level: e.target.value as LanguageLevel })}>
                {LANGUAGE_LEVELS.map((v) => (
                  <option key={v} value={v}>
                    {v === 'NATIVE' ? t('profile.native') : v}
                  </option>
                ))}
              </select>
            </div>
            <button
              type="button"
              className="button button--ghost"
              aria-label={t('profile.removeLanguage', { name: i18n.language(l.code) })}
              onClick={() => onChange(languages.filter((_, j) => j !== i))}
            >
              {t('common.remove')}
            </button>
            <ItemError errors={errors} prefix={`languages.${i}`} />
          </li>
        ))}
      </ul>
      <button
        type="button"
        className="button"
        onClick={() => onChange([...languages, { code: i18n.locale === 'fr' ? 'en' : 'fr', level: 'B2' }])}
      >
        {t('profile.addLanguage')}
      </button>
    </fieldset>
  );
}

export function LinksEditor({
  links,
  onChange,
  errors,
}: {
  links: ProfileForm['links'];
  onChange: (l: ProfileForm['links']) => void;
  errors: FieldErrors;
}) {
  const { t } = useI18n();
  const id = useId();
  const set = (i: number, patch: Partial<{ type: LinkType; url: string }>) =>
    onChange(links.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  return (
    <fieldset className="fieldset">
      <legend>{t('profile.links')}</legend>
      {errors.links && <p className="field-error">{errors.links}</p>}
      {links.length === 0 && <p className="muted">{t('profile.noLinks')}</p>}
      <ul className="rows">
        {links.map((l, i) => {
          const err = errors[`links.${i}.url`];
          return (
            <li key={i} className="row row--link">
              <LinkIcon type={l.type} />
              <div className="field">
                <label htmlFor={`${id}-type-${i}`}>{t('profile.linkType')}</label>
                <select id={`${id}-type-${i}`} value={l.type} onChange={(e) => set(i, { type: e.target.value as LinkType })}>
                  {LINK_TYPES.map((v) => (
                    <option key={v} value={v}>
                      {t(`link.${v}`)}
                    </option>
                  ))}
                </select>
              </div>
              <div className={`field field--grow${err ? ' field--invalid' : ''}`}>
                <label htmlFor={`${id}-url-${i}`}>{t('profile.url')}</label>
                <input
                  id={`${id}-url-${i}`}
                  type="url"
                  inputMode="url"
                  value={l.url}
                  aria-invalid={err ? true : undefined}
                  aria-describedby={err ? `${id}-url-${i}-err` : undefined}
                  placeholder="https://"
                  onChange={(e) => set(i, { url: e.target.value })}
                />
                {err && (
                  <p className="field-error" id={`${id}-url-${i}-err`}>
                    {err}
                  </p>
                )}
              </div>
              <button
                type="button"
                className="button button--ghost"
                aria-label={t('profile.removeLink', { type: t(`link.${l.type}`) })}
                onClick={() => onChange(links.filter((_, j) => j !== i))}
              >
                {t('common.remove')}
              </button>
            </li>
          );
        })}
      </ul>
      <button type="button" className="button" onClick={() => onChange([...links, { type: 'LINKEDIN', url: '' }])}>
        {t('profile.addLink')}
      </button>
    </fieldset>
  );
}
