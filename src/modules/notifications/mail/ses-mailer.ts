import { GetAccountCommand, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { resolveCredentials, type DynamoCredentials } from '../../../shared/dynamodb.js';
import { composeMime } from './compose-mime.js';
import { MailError, type MailMessage, type Mailer } from './mailer.js';

export interface SesMailerOptions {
  /** A local peer (aws-ses-v2-local, LocalStack); undefined means the regional AWS endpoint. */
  endpoint?: string | undefined;
  region: string;
  credentials?: DynamoCredentials;
  /** Bound on connecting and on waiting for the response, per attempt. Default 10 s. */
  timeoutMs?: number;
  /** Attempts the SDK makes itself (with its backoff and throttling bucket) before we report a failure. Default 3. */
  maxAttempts?: number;
}

/**
 * Amazon SES (API v2) with `Content.Raw`: the MIME built here, so text, HTML and custom headers
 * are ours. Note that SES replaces the Message-ID header with its own on delivery; the id still
 * makes the message recognisable in our logs and in any header the caller adds.
 */
export class SesMailer implements Mailer {
  private readonly client: SESv2Client;

  constructor({ endpoint, region, credentials, timeoutMs = 10_000, maxAttempts = 3 }: SesMailerOptions) {
    // Same rule as the DynamoDB client: dummy keys for a local peer, the default chain on AWS.
    const resolved = resolveCredentials(endpoint, credentials);
    this.client = new SESv2Client({
      region,
      maxAttempts,
      // Without throwOnRequestTimeout the SDK only logs a request past its timeout and keeps waiting.
      requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true },
      ...(endpoint ? { endpoint } : {}),
      ...(resolved ? { credentials: resolved } : {}),
    });
  }

  async send(m: MailMessage): Promise<void> {
    const { raw, envelope } = await composeMime(m);
    try {
      await this.client.send(
        new SendEmailCommand({
          ...(envelope.from ? { FromEmailAddress: envelope.from } : {}),
          Destination: { ToAddresses: envelope.to },
          Content: { Raw: { Data: raw } },
        }),
      );
    } catch (err) {
      throw sesMailError(err);
    }
  }

  /** GetAccount: reachable, credentials accepted (needs `ses:GetAccount`). */
  async ping(): Promise<void> {
    try {
      await this.client.send(new GetAccountCommand({}));
    } catch (err) {
      throw sesMailError(err);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** SES errors that a later attempt may not meet: rate and quota limits (they reset). */
const THROTTLING = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'LimitExceededException']);

/**
 * Retryable: throttling, any 5xx, and failures with no HTTP response at all (connection refused,
 * reset, timeout). Any other 4xx (a rejected message, an unverified sender, a paused account) is
 * permanent: sending the same request again would get the same answer.
 */
export function sesMailError(err: unknown): MailError {
  const e = err instanceof Error ? err : new Error(String(err));
  const status = httpStatusOf(e);
  const throttled = THROTTLING.has(e.name) || ('$retryable' in e && Boolean(e.$retryable));
  const retryable = throttled || status === undefined || status >= 500 || status === 429;
  return new MailError(`SES ${status ?? 'request'} failed: ${e.name}: ${e.message}`, retryable, { cause: err });
}

function httpStatusOf(e: Error): number | undefined {
  const meta: unknown = '$metadata' in e ? e.$metadata : undefined;
  if (meta && typeof meta === 'object' && 'httpStatusCode' in meta && typeof meta.httpStatusCode === 'number') {
    return meta.httpStatusCode;
  }
  return undefined;
}
