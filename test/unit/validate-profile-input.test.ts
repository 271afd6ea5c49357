import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProfileFields } from '../../src/modules/profiles/validate-profile-input.js';
import { AppError } from '../../src/shared/errors.js';

const paths = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError);
    return (err.details.fields ?? []).map((f) => f.path).sort();
  }
  assert.fail('expected BAD_USER_INPUT');
};

describe('profile input validation', () => {
  it('normalizes codes, trims text and clears empty optional text', () => {
    const f = parseProfileFields(
      {
        handle: 'Ada_L',
        firstName: ' Ada ',
        lastName: 'Lovelace',
        email: 'ada@example.com',
        headline: '',
        location: { countryCode: 'gb' },
        currency: 'eur',
        dailyRate: 800,
        languages: [{ code: 'EN', level: 'NATIVE' }],
      },
      'create',
    );
    assert.equal(f.firstName, 'Ada');
    assert.equal(f.headline, null);
    assert.equal(f.location?.countryCode, 'GB');
    assert.equal(f.currency, 'EUR');
    assert.equal(f.languages?.[0]?.code, 'en');
  });

  it('requires the identity fields on create but not on update', () => {
    assert.deepEqual(
      paths(() => parseProfileFields({}, 'create')),
      ['email', 'firstName', 'handle', 'lastName'],
    );
    assert.deepEqual(parseProfileFields({}, 'update'), {});
    assert.deepEqual(
      paths(() => parseProfileFields({ firstName: null, skills: null }, 'update')),
      ['firstName', 'skills'],
    );
  });

  it('checks links against their site and refuses non-http schemes and credentials', () => {
    const link = (type: string, url: string) => ({ links: [{ type, url }] });
    assert.doesNotThrow(() => parseProfileFields(link('LINKEDIN', 'https://fr.linkedin.com/in/ada'), 'update'));
    assert.doesNotThrow(() => parseProfileFields(link('MALT', 'https://www.malt.fr/profile/ada'), 'update'));
    assert.deepEqual(
      paths(() => parseProfileFields(link('LINKEDIN', 'https://linkedin.com.evil.io/in/ada'), 'update')),
      ['links.0.url'],
    );
    assert.deepEqual(
      paths(() => parseProfileFields(link('WEBSITE', 'data:text/html,hi'), 'update')),
      ['links.0.url'],
    );
    assert.deepEqual(
      paths(() => parseProfileFields(link('WEBSITE', 'https://user:pw@example.com'), 'update')),
      ['links.0.url'],
    );
  });

  it('validates dates, days per week, ratings and phone numbers', () => {
    assert.deepEqual(
      paths(() =>
        parseProfileFields(
          {
            availability: { status: 'AVAILABLE', availableFrom: '2026-13-01', daysPerWeek: 8 },
            internalRating: 0,
            phone: '+999',
          },
          'update',
        ),
      ),
      ['availability.availableFrom', 'availability.daysPerWeek', 'internalRating', 'phone'],
    );
  });

  it('checks a daily rate against the stored currency on update', () => {
    assert.doesNotThrow(() => parseProfileFields({ dailyRate: 500 }, 'update', { currency: 'EUR' }));
    assert.deepEqual(
      paths(() => parseProfileFields({ dailyRate: 500 }, 'update', { currency: null })),
      ['currency'],
    );
    assert.deepEqual(
      paths(() => parseProfileFields({ currency: null }, 'update', { dailyRate: 500, currency: 'EUR' })),
      ['currency'],
    );
  });
});
