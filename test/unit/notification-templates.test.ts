import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render, type Locale, type TemplateDataMap, type TemplateName } from '../../src/modules/notifications/templates/index.js';

const HOSTILE = `<script>alert(1)</script> "&'`;
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt; &quot;&amp;&#39;';

const samples: { [N in TemplateName]: TemplateDataMap[N] } = {
  verificationCode: { code: '482913', expiresInHours: 24 },
  passwordResetCode: { code: '771204', expiresInMinutes: 30 },
  profileCreated: { firstName: HOSTILE, handle: 'lea-dubois', profileUrl: 'https://atelier.test/profiles/lea-dubois' },
  profileUpdated: {
    firstName: HOSTILE,
    handle: 'lea-dubois',
    changedFields: ['dailyRate', 'skills'],
    profileUrl: 'https://atelier.test/profiles/lea-dubois',
  },
  profileDeleted: { firstName: HOSTILE, handle: 'lea-dubois' },
  teamProfileEvent: {
    kind: 'created',
    fullName: HOSTILE,
    handle: 'lea-dubois',
    headline: `Développeuse ${HOSTILE}`,
    availabilityStatus: 'AVAILABLE',
    skills: ['React', HOSTILE],
    profileUrl: 'https://atelier.test/profiles/lea-dubois',
  },
};

const names = Object.keys(samples) as TemplateName[];
const renderSample = <N extends TemplateName>(name: N, locale: Locale) => render(name, locale, samples[name]);

describe('mail templates', () => {
  for (const name of names) {
    for (const locale of ['fr', 'en'] as const) {
      it(`${name} (${locale}) has a subject, a text part and a complete HTML document`, () => {
        const r = renderSample(name, locale);
        assert.ok(r.subject.length > 0);
        assert.ok(r.text.trim().length > 0);
        assert.match(r.html, new RegExp(`^<!DOCTYPE html>\\n<html lang="${locale}">`));
        assert.match(r.html, /<\/html>\n$/);
        assert.match(r.text, /-- \nAtelier — /);
      });
    }
  }

  it('escapes every user value in HTML and keeps it plain in text', () => {
    for (const name of names) {
      for (const locale of ['fr', 'en'] as const) {
        const r = renderSample(name, locale);
        assert.doesNotMatch(r.html, /<script>/, `${name} ${locale}`);
        assert.doesNotMatch(r.html, /"&'/, `${name} ${locale}`);
        if (name.startsWith('profile') || name === 'teamProfileEvent') {
          assert.ok(r.html.includes(ESCAPED), `${name} ${locale} shows the escaped value`);
          assert.ok(r.text.includes(HOSTILE), `${name} ${locale} text keeps the value as typed`);
        }
      }
    }
    assert.ok(render('teamProfileEvent', 'fr', samples.teamProfileEvent).subject.includes(HOSTILE), 'the subject is plain text');
  });

  it('shows the code, and its validity with the right plural, in both languages', () => {
    const fr = render('verificationCode', 'fr', { code: '482913', expiresInHours: 24 });
    assert.match(fr.text, /482913/);
    assert.match(fr.html, />482913</);
    assert.match(fr.text, /valable pendant 24 heures\./);
    assert.match(render('verificationCode', 'fr', { code: '1', expiresInHours: 1 }).text, /pendant 1 heure\./);
    assert.match(render('verificationCode', 'en', { code: '1', expiresInHours: 1 }).text, /valid for 1 hour\./);
    assert.match(render('passwordResetCode', 'en', { code: '771204', expiresInMinutes: 30 }).text, /valid for 30 minutes\./);
    assert.match(render('passwordResetCode', 'fr', { code: '771204', expiresInMinutes: 1 }).text, /pendant 1 minute\./);
  });

  it('names changed fields with their label in the right language, unknown ones as they are', () => {
    const data = { ...samples.profileUpdated, changedFields: ['dailyRate', 'availability', 'dailyRate', 'somethingNew'] };
    const fr = render('profileUpdated', 'fr', data);
    assert.match(fr.text, /- Taux journalier\n- Disponibilité\n- somethingNew\n/);
    assert.match(fr.html, /<li>Taux journalier<\/li><li>Disponibilité<\/li><li>somethingNew<\/li>/);
    const en = render('profileUpdated', 'en', data);
    assert.match(en.text, /- Daily rate\n- Availability\n- somethingNew\n/);
  });

  it('tells the team what changed, with labels, and links to the profile unless it is deleted', () => {
    const base = { ...samples.teamProfileEvent, fullName: 'Léa Dubois', headline: 'Développeuse React' };
    const created = render('teamProfileEvent', 'fr', base);
    assert.equal(created.subject, 'Nouveau profil\u00a0: Léa Dubois');
    assert.match(created.text, /Disponibilité\u00a0: Disponible/);
    assert.match(created.text, /Compétences\u00a0: React, /);
    assert.match(created.html, /href="https:\/\/atelier\.test\/profiles\/lea-dubois"/);
    const deleted = render('teamProfileEvent', 'en', { ...base, kind: 'deleted' });
    assert.equal(deleted.subject, 'Profile deleted: Léa Dubois');
    assert.doesNotMatch(deleted.html, /href=/);
    assert.doesNotMatch(deleted.text, /https:/);
    const skills = render('teamProfileEvent', 'en', { ...base, kind: 'skillsChanged', availabilityStatus: undefined });
    assert.match(skills.text, /updated their skills/);
    assert.doesNotMatch(skills.text, /Availability/);
  });

  it('makes no link of a URL that is not http(s)', () => {
    const r = render('profileCreated', 'en', { ...samples.profileCreated, profileUrl: 'javascript:alert(1)' });
    assert.doesNotMatch(r.html, /javascript:/);
    assert.doesNotMatch(r.text, /javascript:/);
  });

  it('falls back to French for a locale it does not know', () => {
    const r = render('profileDeleted', 'de' as Locale, samples.profileDeleted);
    assert.equal(r.subject, 'Votre profil Atelier a été supprimé');
  });

  it('ties each template name to its data type', () => {
    // @ts-expect-error: verificationCode takes expiresInHours, not expiresInMinutes
    const call = () => render('verificationCode', 'fr', { code: '1', expiresInMinutes: 5 });
    assert.equal(typeof call, 'function');
  });
});
