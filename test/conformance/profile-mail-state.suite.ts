import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProfileMailState, ProfileMailSnapshot } from '../../src/modules/notifications/state/profile-mail-state.js';

const WINDOW = 600_000;
const t = (minutes: number) => new Date(Date.UTC(2031, 0, 1) + minutes * 60_000).toISOString();
const snap = (over: Partial<ProfileMailSnapshot> = {}): ProfileMailSnapshot => ({
  profileId: crypto.randomUUID(),
  ownerId: 'owner',
  email: 'a@example.com',
  firstName: 'Ada',
  handle: 'ada',
  ...over,
});

/** The ProfileMailState contract, run against every adapter. */
export function profileMailStateSuite(name: string, open: () => Promise<ProfileMailState>): void {
  describe(`ProfileMailState conformance: ${name}`, () => {
    let state: ProfileMailState;
    before(async () => {
      state = await open();
    });
    after(async () => {
      await state.close();
    });

    it('sends the first change at once, then summarises changes until the window closes', async () => {
      const s = snap();
      const first = await state.addChanges(s, ['headline'], t(0), WINDOW);
      assert.deepEqual(first, { snapshot: s, fields: ['headline'], sendAt: t(0) });
      const followUp = await state.markSent(s.profileId, ['headline'], t(0), WINDOW);
      assert.equal(followUp, null);
      assert.equal(await state.pending(s.profileId), null);
      const second = await state.addChanges(s, ['skills', 'bio'], t(2), WINDOW);
      assert.equal(second.sendAt, t(10), 'within the window: wait until it closes');
      const renamed = { ...s, firstName: 'Augusta' };
      const third = await state.addChanges(renamed, ['bio', 'dailyRate'], t(3), WINDOW);
      assert.deepEqual(third, { snapshot: renamed, fields: ['skills', 'bio', 'dailyRate'], sendAt: t(10) });
      assert.deepEqual(await state.pending(s.profileId), third);
      assert.equal(await state.markSent(s.profileId, ['skills', 'bio', 'dailyRate'], t(10), WINDOW), null);
      const later = await state.addChanges(renamed, ['remote'], t(25), WINDOW);
      assert.equal(later.sendAt, t(25), 'after the window: at once');
    });

    it('keeps changes that arrived while a summary was being sent, due when the next window closes', async () => {
      const s = snap();
      await state.addChanges(s, ['headline'], t(0), WINDOW);
      await state.addChanges(s, ['bio'], t(0.5), WINDOW);
      const left = await state.markSent(s.profileId, ['headline'], t(1), WINDOW);
      assert.deepEqual(left, { snapshot: s, fields: ['bio'], sendAt: t(11) });
      assert.deepEqual(await state.pending(s.profileId), left);
    });

    it('forgets a profile', async () => {
      const s = snap();
      await state.addChanges(s, ['headline'], t(0), WINDOW);
      await state.forget(s.profileId);
      assert.equal(await state.pending(s.profileId), null);
      assert.equal((await state.addChanges(s, ['bio'], t(1), WINDOW)).sendAt, t(1));
    });
  });
}
