import http from 'node:http';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A deterministic pseudo-random generator (mulberry32), so fault patterns repeat run after run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ReceivedMessage {
  messageId: string;
  to: string;
  subject: string;
  text: string;
}

export interface FaultySmtp {
  url: string;
  /** The recipients refused with 550; change it to bring a mailbox back. */
  blackholes: string[];
  /** Every message accepted, duplicates included (a retry after a time-out may deliver twice). */
  accepted: ReceivedMessage[];
  stats: { refused: number; hung: number; rejectedRecipients: number };
  /** Accepted messages, one per Message-ID. */
  distinct(): ReceivedMessage[];
  stop(): Promise<void>;
}

/**
 * A real SMTP server that refuses `refuseRate` of messages with 451, never answers `hangRate` of them
 * (the client times out), and refuses the `blackholes` recipients with 550 — deterministically from `seed`.
 */
export async function startFaultySmtp(opts: {
  refuseRate: number;
  hangRate: number;
  blackholes: string[];
  seed: number;
  delayMs?: number;
}): Promise<FaultySmtp> {
  const random = seeded(opts.seed);
  const accepted: ReceivedMessage[] = [];
  const stats = { refused: 0, hung: 0, rejectedRecipients: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (opts.blackholes.includes(address.address.toLowerCase())) {
        stats.rejectedRecipients += 1;
        return callback(Object.assign(new Error('No such user here'), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then(async (parsed) => {
          if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
          const r = random();
          if (r < opts.refuseRate) {
            stats.refused += 1;
            return callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
          }
          if (r < opts.refuseRate + opts.hangRate) {
            // the message is lost on our side, and the client never hears back: it must time out and retry
            stats.hung += 1;
            return;
          }
          const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : (parsed.to?.text ?? '');
          accepted.push({ messageId: parsed.messageId ?? '', to, subject: parsed.subject ?? '', text: parsed.text ?? '' });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    url: `smtp://127.0.0.1:${address.port}`,
    blackholes: opts.blackholes,
    accepted,
    stats,
    distinct: () => [...new Map(accepted.map((m) => [m.messageId, m])).values()],
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface FlakySlack {
  url: string;
  /** Event ids delivered with a 200, duplicates included. */
  delivered: string[];
  answers: number[];
  stop(): Promise<void>;
}

/** A Slack webhook receiver that answers each new message 429 (Retry-After: 1), then 500, then 200. */
export async function startFlakySlack(): Promise<FlakySlack> {
  const tries = new Map<string, number>();
  const delivered: string[] = [];
  const answers: number[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { metadata?: { event_payload?: { event_id?: string } } };
      const id = parsed.metadata?.event_payload?.event_id ?? 'unknown';
      const n = (tries.get(id) ?? 0) + 1;
      tries.set(id, n);
      const status = n === 1 ? 429 : n === 2 ? 500 : 200;
      answers.push(status);
      if (status === 200) delivered.push(id);
      res.writeHead(status, status === 429 ? { 'retry-after': '1' } : {}).end(status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}/hooks/team`,
    delivered,
    answers,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
