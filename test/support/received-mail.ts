import type { AddressObject, ParsedMail } from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser';
import type { ReceivedAddress, ReceivedMail } from '../conformance/mailer.suite.js';

const addresses = (a: AddressObject | AddressObject[] | undefined): ReceivedAddress[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => ({ name: v.name, address: v.address ?? '' })));

/** A message parsed by mailparser, in the suite's terms. */
export function fromParsedMail(p: ParsedMail): ReceivedMail {
  const headers = new Map<string, string>();
  for (const [name, value] of p.headers) if (typeof value === 'string') headers.set(name, value);
  return {
    messageId: p.messageId,
    from: addresses(p.from)[0] ?? { name: '', address: '' },
    to: addresses(p.to),
    subject: p.subject ?? '',
    text: p.text ?? '',
    html: p.html === false ? '' : p.html,
    headers,
  };
}

/** `"Léa" <lea@example.com>` → `{ name: 'Léa', address: 'lea@example.com' }` (addresses a peer stored as text). */
export function parseAddress(text: string): ReceivedAddress {
  const [first] = addressparser(text, { flatten: true });
  return { name: first?.name ?? '', address: first?.address ?? '' };
}
