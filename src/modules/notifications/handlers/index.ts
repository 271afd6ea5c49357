import type { EventHandler } from '../../jobs/index.js';
import type { NotificationDeps } from './deps.js';
import { mailAccountCode } from './mail-account-code.js';
import { collectProfileUpdate, mailProfileCreated, mailProfileDeleted, mailProfileUpdateSummary } from './mail-profile-change.js';
import { mailTeam, slackTeam } from './notify-team.js';

export type { NotificationDeps } from './deps.js';
export { PROFILE_MAIL_DUE } from './mail-profile-change.js';

/** Every notification handler. The same list runs in the job worker and behind the Lambda entry points. */
export function notificationHandlers(deps: NotificationDeps): EventHandler[] {
  return [
    mailAccountCode(deps),
    mailProfileCreated(deps),
    mailProfileDeleted(deps),
    collectProfileUpdate(deps),
    mailProfileUpdateSummary(deps),
    slackTeam(deps),
    mailTeam(deps),
  ];
}
