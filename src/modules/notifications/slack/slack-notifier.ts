import { setTimeout as sleep } from 'node:timers/promises';
import { fullJitterDelay, parseRetryAfter } from './retry-policy.js';

export interface SlackMessage {
  /** The message, or its notification fallback when `blocks` are given (Slack mrkdwn). */
  text: string;
  blocks?: unknown[];
  /** Our event's id, sent as message metadata so whoever receives it can drop a duplicate. */
  eventId: string;
}

export interface SlackPostOptions {
  /** Bound on one request, response included. Default 5 s. */
  timeoutMs?: number;
  /** Requests in all, the first included. Default 4. */
  maxAttempts?: number;
  /** Bound on the whole call, waits included; a wait that would pass it is not started. Default 30 s. */
  maxTotalMs?: number;
  /** First backoff ceiling; it doubles with each attempt up to `maxDelayMs`. Default 500 ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Jitter source, [0, 1). */
  random?: () => number;
}

export interface SlackErrorDetails {
  /** The last HTTP status, when there was a response. */
  status?: number;
  attempts: number;
  /** What the last Retry-After asked for, when the wait did not fit in the time left. */
  retryAfterMs?: number;
}

/** Posting failed. `retryable`: the same message may go through later (a job worker retries it). */
export class SlackError extends Error {
  override readonly name = 'SlackError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly details: SlackErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Marks our messages in their metadata (Slack's `event_type`: letters, digits, `_`). */
const EVENT_TYPE = 'atelier_notification';

type Attempt =
  { ok: true } | { ok: false; retryable: boolean; reason: string; status?: number; retryAfterMs?: number; cause?: unknown };

/**
 * POSTs a message to a Slack incoming webhook. Retries 429, 5xx, timeouts and network errors with
 * exponential backoff and full jitter, waiting what Retry-After says when there is one, within
 * `maxAttempts` and `maxTotalMs`; then throws a retryable SlackError. Any other answer (400
 * invalid_payload, 403, 404 no_service, 410 channel_is_archived, a redirect) throws a
 * non-retryable SlackError at once. The webhook URL is a secret: no error message contains it.
 */
export async function postToSlack(webhookUrl: string, message: SlackMessage, opts: SlackPostOptions = {}): Promise<void> {
  const {
    timeoutMs = 5_000,
    maxAttempts = 4,
    maxTotalMs = 30_000,
    baseDelayMs = 500,
    maxDelayMs = 8_000,
    random = Math.random,
  } = opts;
  const body = JSON.stringify({
    text: message.text,
    ...(message.blocks ? { blocks: message.blocks } : {}),
    metadata: { event_type: EVENT_TYPE, event_payload: { event_id: message.eventId } },
  });
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const left = maxTotalMs - (Date.now() - started);
    const outcome = await postOnce(webhookUrl, body, Math.max(1, Math.min(timeoutMs, left)));
    if (outcome.ok) return;
    const details = { status: outcome.status, attempts: attempt };
    if (!outcome.retryable) {
      throw new SlackError(`Slack refused the message: ${outcome.reason}`, false, details, { cause: outcome.cause });
    }
    if (attempt >= maxAttempts) {
      throw new SlackError(`Slack failed ${attempt} times, last: ${outcome.reason}`, true, details, { cause: outcome.cause });
    }
    const wait = outcome.retryAfterMs ?? fullJitterDelay(attempt, baseDelayMs, maxDelayMs, random);
    if (Date.now() - started + wait >= maxTotalMs) {
      throw new SlackError(
        `Slack failed (${outcome.reason}) and the next try would pass ${maxTotalMs} ms`,
        true,
        { ...details, ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}) },
        { cause: outcome.cause },
      );
    }
    await sleep(wait);
  }
}

async function postOnce(url: string, body: string, timeoutMs: number): Promise<Attempt> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      // A webhook does not move; following a redirect could re-send the body somewhere else.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Read the whole answer (Slack says why in the body, e.g. invalid_payload) and free the connection.
    const answer = (await res.text()).slice(0, 200);
    if (res.ok) return { ok: true };
    const reason = `HTTP ${res.status}${answer ? ` ${answer}` : ''}`;
    if (res.status === 429 || res.status >= 500) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), Date.now());
      return { ok: false, retryable: true, reason, status: res.status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    return { ok: false, retryable: false, reason, status: res.status };
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    const reason = timedOut ? `no answer within ${timeoutMs} ms` : `network error (${networkCause(err)})`;
    return { ok: false, retryable: true, reason, cause: err };
  }
}

/** fetch reports "fetch failed" and keeps the useful part (ECONNREFUSED…) in its cause. */
function networkCause(err: unknown): string {
  const cause: unknown = err instanceof Error ? err.cause : undefined;
  if (cause instanceof Error) return 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
  return err instanceof Error ? err.message : String(err);
}
