export { postToSlack, SlackError, type SlackErrorDetails, type SlackMessage, type SlackPostOptions } from './slack-notifier.js';
export { formatTeamSlackMessage } from './format-team-slack-message.js';
