// Mail: the port, its adapters' factory, and the development mailbox (file transport).
export { MailError, isMailError, type MailMessage, type Mailer } from './mail/mailer.js';
export { createMailer, mailDirectory } from './mail/create-mailer.js';
export { listMailbox, readMailboxMessage, type MailboxEntry, type MailboxMessage } from './mail/mailbox.js';
// Templates: subject, text and HTML per template and language.
export {
  render,
  type Locale,
  type RenderedMail,
  type TemplateDataMap,
  type TemplateName,
  type TeamProfileEventData,
} from './templates/index.js';
// Slack: the team channel.
export { postToSlack, SlackError, formatTeamSlackMessage, type SlackMessage, type SlackPostOptions } from './slack/index.js';
