import { useEffect, useRef, useState, type FormEvent } from 'react';
import { subscribe } from '../api/subscriptions';
import { ApiError } from '../api/errors';
import { createProfile, myProfile, ON_UPDATE, updateProfile, type ProfileData } from '../api/profiles';
import type { User } from '../auth/session';
import { useI18n } from '../i18n/i18n';
import { fieldErrorsOf, unplacedErrors, type FieldErrors } from '../ui/form-errors';
import { ErrorBanner, Loading, Notice, PageTitle, SelectField, TextArea, TextField } from '../ui/ui';
import { useLoad } from '../ui/use-load';
import { AVAILABILITY, byName, COUNTRIES, CURRENCIES, REMOTE } from './codes';
import { ConflictPanel } from './ConflictPanel';
import { FileUpload } from './FileUpload';
import { LanguagesEditor, LinksEditor, SkillsEditor } from './ListEditors';
import { changedGroups, formOf, inputOf, rebase, takeGroup, type FieldGroup, type ProfileForm } from './profile-form';

/** Error paths the form shows next to an input; others go to the summary at the top. */
const PLACED =
  /^(handle|firstName|lastName|email|phone|headline|bio|location(\.\w+)?|remote|dailyRate|currency|availability(\.\w+)?|skills(\.\d+\.\w+)?|languages(\.\d+\.\w+)?|links(\.\d+\.\w+)?|visibility)$/;

type SaveState = { kind: 'clean' } | { kind: 'saving' } | { kind: 'saved'; at: string } | { kind: 'error'; error: unknown };

interface Conflict {
  theirs: ProfileData;
  groups: FieldGroup[];
}

export default function MyProfile({ user }: { user: User }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [loaded] = useLoad(myProfile, []);
  const [profile, setProfile] = useState<ProfileData | null>(null);
  const [base, setBase] = useState<ProfileForm | null>(null);
  const [form, setForm] = useState<ProfileForm | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [save, setSave] = useState<SaveState>({ kind: 'clean' });
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const summary = useRef<HTMLDivElement>(null);
  /** Newest version this screen has seen or saved, and whether a save is in flight: events beyond are someone else's. */
  const known = useRef(0);
  const inFlight = useRef(0);
  const held = useRef<number[]>([]);
  const [elsewhere, setElsewhere] = useState(false);
  const startFlight = () => {
    inFlight.current += 1;
  };
  const endFlight = () => {
    inFlight.current -= 1;
    if (inFlight.current === 0) {
      if (held.current.some((v) => v > known.current)) setElsewhere(true);
      held.current = [];
    }
  };
  const profileId = profile?.id;
  useEffect(() => {
    if (profile) known.current = Math.max(known.current, profile.version);
  }, [profile]);
  useEffect(() => {
    if (!profileId) return;
    return subscribe<{ onUpdateProfile: { id: string; version: number } | null }>(ON_UPDATE, { id: profileId }, (d) => {
      const v = d.onUpdateProfile?.version ?? 0;
      if (v <= known.current) return;
      // a save or upload in flight may be announced before its answer: checked when the answer comes
      if (inFlight.current > 0) held.current.push(v);
      else setElsewhere(true);
    });
  }, [profileId]);

  useEffect(() => {
    if (loaded.status !== 'ready') return;
    setProfile(loaded.data);
    const f = formOf(loaded.data, user.email);
    setBase(f);
    setForm(f);
  }, [loaded, user.email]);

  if (loaded.status === 'loading' || (loaded.status === 'ready' && !form)) return <Loading />;
  if (loaded.status === 'error') {
    return (
      <section className="page">
        <PageTitle title={t('profile.title')}>{t('profile.title')}</PageTitle>
        <ErrorBanner error={loaded.error} onRetry={() => location.reload()} />
      </section>
    );
  }
  if (!form || !base) return null;

  const dirty = changedGroups(base, form);
  const creating = profile === null;
  const set = (patch: Partial<ProfileForm>) => {
    setForm({ ...form, ...patch });
    if (save.kind === 'saved') setSave({ kind: 'clean' });
  };
  const err = (path: string) => errors[path] || undefined;

  /** After the server's version moved on: merge what can be merged, ask about the rest. */
  const adopt = (theirs: ProfileData, mine: ProfileForm, from: ProfileForm = base) => {
    const theirsForm = formOf(theirs, user.email);
    known.current = Math.max(known.current, theirs.version);
    const { merged, conflicts } = rebase(from, mine, theirsForm);
    setProfile(theirs);
    setBase(theirsForm);
    setForm(merged);
    if (conflicts.length) setConflict({ theirs, groups: conflicts });
    return conflicts;
  };

  const submit = async (e?: FormEvent, chosen?: ProfileForm, against?: { profile: ProfileData; base: ProfileForm }) => {
    e?.preventDefault();
    const current = chosen ?? form;
    const p = against?.profile ?? profile;
    const b = against?.base ?? base;
    setSave({ kind: 'saving' });
    setErrors({});
    startFlight();
    try {
      const input = inputOf(current);
      let saved: ProfileData;
      if (!p) {
        saved = await createProfile(input);
      } else {
        const changed = changedGroups(b, current);
        saved = await updateProfile({
          id: p.id,
          expectedVersion: p.version,
          ...Object.fromEntries(changed.map((g) => [g, input[g]])),
        });
      }
      const f = formOf(saved, user.email);
      known.current = Math.max(known.current, saved.version);
      setProfile(saved);
      setBase(f);
      setForm(f);
      setSave({ kind: 'saved', at: new Date().toISOString() });
      setElsewhere(false);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CONFLICT' && error.details.currentVersion !== undefined) {
        const theirs = await myProfile().catch(() => null);
        if (theirs) {
          const conflicts = adopt(theirs, current, b);
          setSave(conflicts.length ? { kind: 'error', error } : { kind: 'clean' });
          return;
        }
      }
      const fields = fieldErrorsOf(error, i18n);
      setErrors(fields);
      setSave({ kind: 'error', error });
      // bring the summary into view; it lists every problem with a link to its field
      requestAnimationFrame(() => summary.current?.focus());
    } finally {
      endFlight();
    }
  };

  /** Takes the server's version in: what only changed there is applied, what both changed is asked about. */
  const showChanges = async () => {
    try {
      const theirs = await myProfile();
      if (theirs) adopt(theirs, form);
      setElsewhere(false);
    } catch (error) {
      setSave({ kind: 'error', error });
    }
  };

  const resolve = (choices: Record<FieldGroup, 'mine' | 'theirs'>) => {
    if (!conflict) return;
    const theirsForm = formOf(conflict.theirs, user.email);
    let next = form;
    for (const g of conflict.groups) if (choices[g] === 'theirs') next = takeGroup(next, theirsForm, g);
    setConflict(null);
    setForm(next);
    void submit(undefined, next, { profile: conflict.theirs, base: theirsForm });
  };

  const stray = unplacedErrors(errors, (path) => PLACED.test(path));
  const countries = byName(COUNTRIES, i18n.country, i18n.locale);
  const errorCount = Object.values(errors).filter(Boolean).length;
  return (
    <section className="page">
      <PageTitle title={t('profile.title')}>{creating ? t('profile.createTitle') : t('profile.title')}</PageTitle>
      {creating && <Notice>{t('profile.createIntro')}</Notice>}
      {elsewhere && !conflict && (
        <div className="banner banner--warning" role="status">
          <p>{t('profile.changedElsewhere')}</p>
          <button type="button" className="button button--small" onClick={() => void showChanges()}>
            {t('profile.showChanges')}
          </button>
        </div>
      )}
      {conflict && (
        <ConflictPanel conflict={conflict.groups} mine={form} theirs={formOf(conflict.theirs, user.email)} onResolve={resolve} />
      )}
      <div className="profile-layout">
        <form className="profile-form" onSubmit={(e) => void submit(e)} noValidate aria-describedby="save-status">
          {save.kind === 'error' && !conflict && (
            <div ref={summary} tabIndex={-1} className="banner banner--error" role="alert">
              <p>{i18n.error(save.error)}</p>
              {errorCount > 0 && <p>{t('profile.errorCount', { count: errorCount })}</p>}
              {stray.length > 0 && (
                <ul>
                  {stray.map(([path, message]) => (
                    <li key={path}>
                      {path}: {message}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <fieldset className="fieldset">
            <legend>{t('profile.identity')}</legend>
            <div className="grid2">
              <TextField
                label={t('field.firstName')}
                autoComplete="given-name"
                value={form.firstName}
                error={err('firstName')}
                onChange={(e) => set({ firstName: e.target.value })}
              />
              <TextField
                label={t('field.lastName')}
                autoComplete="family-name"
                value={form.lastName}
                error={err('lastName')}
                onChange={(e) => set({ lastName: e.target.value })}
              />
            </div>
            <TextField
              label={t('field.handle')}
              value={form.handle}
              hint={t('profile.handleHint')}
              error={
                err('handle') ??
                (save.kind === 'error' && save.error instanceof ApiError && save.error.details.field === 'handle'
                  ? i18n.error(save.error)
                  : undefined)
              }
              onChange={(e) => set({ handle: e.target.value })}
            />
            <TextField
              label={t('field.headline')}
              value={form.headline}
              hint={t('profile.headlineHint')}
              error={err('headline')}
              onChange={(e) => set({ headline: e.target.value })}
            />
            <TextArea
              label={t('field.bio')}
              rows={5}
              value={form.bio}
              error={err('bio')}
              onChange={(e) => set({ bio: e.target.value })}
            />
          </fieldset>

          <fieldset className="fieldset">
            <legend>{t('profile.contact')}</legend>
            <div className="grid2">
              <TextField
                label={t('field.email')}
                type="email"
                autoComplete="email"
                value={form.email}
                error={err('email')}
                onChange={(e) => set({ email: e.target.value })}
              />
              <TextField
                label={t('field.phone')}
                type="tel"
                autoComplete="tel"
                value={form.phone}
                hint={t('profile.phoneHint')}
                error={err('phone')}
                onChange={(e) => set({ phone: e.target.value })}
              />
            </div>
            <div className="grid2">
              <TextField
                label={t('field.city')}
                autoComplete="address-level2"
                value={form.city}
                error={err('location.city')}
                onChange={(e) => set({ city: e.target.value })}
              />
              <SelectField
                label={t('field.country')}
                value={form.countryCode}
                error={err('location.countryCode') ?? err('location')}
                options={[{ value: '', label: t('common.none') }, ...countries]}
                onChange={(e) => set({ countryCode: e.target.value })}
              />
            </div>
          </fieldset>

          <fieldset className="fieldset">
            <legend>{t('profile.work')}</legend>
            <div className="grid3">
              <SelectField
                label={t('field.remote')}
                value={form.remote}
                error={err('remote')}
                options={[
                  { value: '', label: t('common.unspecified') },
                  ...REMOTE.map((r) => ({ value: r, label: t(`remote.${r}`) })),
                ]}
                onChange={(e) => set({ remote: e.target.value as ProfileForm['remote'] })}
              />
              <TextField
                label={t('field.dailyRate')}
                inputMode="numeric"
                value={form.dailyRate}
                error={err('dailyRate')}
                onChange={(e) => set({ dailyRate: e.target.value })}
              />
              <SelectField
                label={t('field.currency')}
                value={form.currency}
                error={err('currency')}
                options={CURRENCIES.map((c) => ({ value: c, label: c }))}
                onChange={(e) => set({ currency: e.target.value })}
              />
            </div>
            <div className="grid3">
              <SelectField
                label={t('field.availability')}
                value={form.availabilityStatus}
                error={err('availability.status') ?? err('availability')}
                options={[
                  { value: '', label: t('common.unspecified') },
                  ...AVAILABILITY.map((a) => ({ value: a, label: t(`availability.${a}`) })),
                ]}
                onChange={(e) => set({ availabilityStatus: e.target.value as ProfileForm['availabilityStatus'] })}
              />
              <TextField
                label={t('field.availableFrom')}
                type="date"
                value={form.availableFrom}
                disabled={!form.availabilityStatus}
                error={err('availability.availableFrom')}
                onChange={(e) => set({ availableFrom: e.target.value })}
              />
              <TextField
                label={t('field.daysPerWeek')}
                inputMode="numeric"
                value={form.daysPerWeek}
                disabled={!form.availabilityStatus}
                error={err('availability.daysPerWeek')}
                onChange={(e) => set({ daysPerWeek: e.target.value })}
              />
            </div>
          </fieldset>

          <SkillsEditor skills={form.skills} errors={errors} onChange={(skills) => set({ skills })} />
          <LanguagesEditor languages={form.languages} errors={errors} onChange={(languages) => set({ languages })} />
          <LinksEditor links={form.links} errors={errors} onChange={(links) => set({ links })} />

          <fieldset className="fieldset">
            <legend>{t('field.visibility')}</legend>
            {(['PRIVATE', 'PUBLIC'] as const).map((v) => (
              <label key={v} className="radio">
                <input
                  type="radio"
                  name="visibility"
                  value={v}
                  checked={form.visibility === v}
                  onChange={() => set({ visibility: v })}
                />
                <span>
                  <strong>{t(`visibility.${v}`)}</strong> — {t(`visibility.${v}.hint`)}
                </span>
              </label>
            ))}
            {err('visibility') && <p className="field-error">{err('visibility')}</p>}
          </fieldset>

          <div className="savebar">
            <p
              id="save-status"
              className={`save-status save-status--${save.kind === 'saved' ? 'saved' : dirty.length ? 'dirty' : 'clean'}`}
              role="status"
            >
              {save.kind === 'saving'
                ? t('profile.saving')
                : save.kind === 'saved'
                  ? t('profile.saved', { time: i18n.dateTime(save.at) })
                  : dirty.length
                    ? t('profile.unsaved', { count: dirty.length })
                    : creating
                      ? t('profile.notCreated')
                      : t('profile.upToDate', { time: i18n.dateTime(profile.updatedAt) })}
            </p>
            <button
              type="submit"
              className="button button--primary"
              disabled={save.kind === 'saving' || (!creating && dirty.length === 0) || conflict !== null}
            >
              {creating ? t('profile.create') : t('profile.save')}
            </button>
          </div>
        </form>
        <aside className="profile-files" aria-label={t('files.title')}>
          {profile ? (
            <>
              <FileUpload
                kind="PHOTO"
                profile={profile}
                onBusy={(b) => (b ? startFlight() : endFlight())}
                onAttached={(p) => adopt(p, form)}
              />
              <FileUpload
                kind="CV"
                profile={profile}
                onBusy={(b) => (b ? startFlight() : endFlight())}
                onAttached={(p) => adopt(p, form)}
              />
            </>
          ) : (
            <p className="muted">{t('files.afterCreate')}</p>
          )}
        </aside>
      </div>
    </section>
  );
}
