import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTeamSlackMessage } from '../../src/modules/notifications/slack/format-team-slack-message.js';
import type { TeamProfileEventData } from '../../src/modules/notifications/templates/index.js';

const data: TeamProfileEventData = {
  kind: 'availabilityChanged',
  fullName: 'Léa <@U123> & co',
  handle: 'lea',
  headline: 'Dév <b>React</b> & Node',
  availabilityStatus: 'PARTIALLY_AVAILABLE',
  skills: ['React', 'C<>'],
  profileUrl: 'https://atelier.test/profiles/lea',
};

describe('team Slack message', () => {
  it('escapes &, < and > in every user value, so nothing becomes a mention or a link', () => {
    const json = JSON.stringify(formatTeamSlackMessage(data));
    assert.ok(!json.includes('<@U123>'));
    assert.ok(json.includes('Léa &lt;@U123&gt; &amp; co'));
    assert.ok(json.includes('Dév &lt;b&gt;React&lt;/b&gt; &amp; Node'));
    assert.ok(json.includes('C&lt;&gt;'));
  });

  it('says what happened in the text and links to the profile in the blocks', () => {
    const m = formatTeamSlackMessage(data);
    assert.equal(m.text, 'Disponibilité modifiée\u00a0: *Léa &lt;@U123&gt; &amp; co* (@lea) a changé de disponibilité.');
    const json = JSON.stringify(m.blocks);
    assert.ok(json.includes('<https://atelier.test/profiles/lea|Voir le profil>'));
    assert.ok(json.includes('*Disponibilité*\\nPartiellement disponible'));
    assert.ok(json.includes('*Compétences*\\nReact, C&lt;&gt;'));
  });

  it('has no link for a deleted profile, and speaks English when asked', () => {
    const m = formatTeamSlackMessage({ ...data, kind: 'deleted', skills: [], availabilityStatus: undefined, headline: '' }, 'en');
    assert.match(m.text, /^Profile deleted: The profile of \*/);
    assert.ok(!JSON.stringify(m.blocks).includes('https://'));
    assert.equal(m.blocks.length, 1, 'no facts block when there are no facts');
  });
});
