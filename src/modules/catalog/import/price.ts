import currencyCodes from 'currency-codes';

/** ISO 4217 code → number of minor-unit digits (EUR 2, JPY 0, KWD 3); codes without minor units (gold, funds) are left out. */
const DIGITS = new Map<string, number>(
  currencyCodes.data.filter((c) => Number.isInteger(c.digits)).map((c) => [c.code, c.digits] as const),
);

export const currencyDigits = (code: string): number | undefined => DIGITS.get(code);

const SYMBOLS: Record<string, string> = { '€': 'EUR', $: 'USD', US$: 'USD', '£': 'GBP', CHF: 'CHF' };

/** A currency as a partner writes it (`eur`, `€`, `US$`) → its ISO 4217 code, or null when it is not one. */
export function currencyCode(text: string): string | null {
  const t = text.trim();
  const code = SYMBOLS[t] ?? t.toUpperCase();
  return DIGITS.has(code) ? code : null;
}

export type PriceResult =
  { ok: true; amount: { int: string; frac: string }; currency: string | null } | { ok: false; reason: string };

/** The usual forms (`12`, `12,50`, `12.50 €`), read without the general rules below. */
const FAST = /^(\d{1,15})(?:[.,](\d{1,2}))?(?:[ \u00a0\u202f]?(€))?$/;
// every kind of space a spreadsheet or a locale puts in a number: NBSP, narrow NBSP, thin space…
const SPACES = /[\s\u00a0\u2007\u2009\u202f]+/g;
const CURRENCY_AT_ENDS = /^(?<pre>US\$|[€$£]|[A-Za-z]{3}(?![A-Za-z]))?(?<num>.*?)(?<post>US\$|[€$£]|(?<![A-Za-z])[A-Za-z]{3})?$/;
const GROUPED_BY = { '.': /^[1-9]\d{0,2}(\.\d{3})+$/, ',': /^[1-9]\d{0,2}(,\d{3})+$/ };
const GROUPED = (sep: '.' | ',') => GROUPED_BY[sep];

/**
 * A price as written: `12,50 €`, `1 234,56` (any space, NBSP, narrow NBSP or `'` as thousands separator),
 * `12.50`, `1,234.56`, `€12.50`, `12.50 EUR`, `$5`. The decimal separator is the last `,` or `.` when both
 * appear; a lone separator is a thousands separator when followed by exactly three digits after a 1–3
 * digit group (`1,234` and `1.234` are 1234) and the decimal one otherwise (`12,5`); a repeated one
 * groups thousands (`1.234.567`). Negative amounts and anything else are refused.
 */
export function parsePrice(raw: string): PriceResult {
  const fast = FAST.exec(raw);
  if (fast) return { ok: true, amount: { int: fast[1] ?? '0', frac: fast[2] ?? '' }, currency: fast[3] ? 'EUR' : null };
  const compact = raw.replace(SPACES, '').replace(/'/g, '');
  const m = CURRENCY_AT_ENDS.exec(compact);
  const pre = m?.groups?.pre;
  const post = m?.groups?.post;
  const num = m?.groups?.num ?? '';
  if (num === '') return { ok: false, reason: 'The price is not a number' };
  if (pre && post) return { ok: false, reason: 'The price names two currencies' };
  let currency: string | null = null;
  const mark = pre ?? post;
  if (mark) {
    currency = currencyCode(mark);
    if (!currency) return { ok: false, reason: `"${mark}" is not a known currency` };
  }
  if (/^[-−(]|\)$|-$/.test(num)) return { ok: false, reason: 'The price is negative' };
  if (!/^\d[\d.,]*$/.test(num) || /[.,]$/.test(num)) return { ok: false, reason: 'The price is not a number' };
  const lastDot = num.lastIndexOf('.');
  const lastComma = num.lastIndexOf(',');
  let decimal: '.' | ',' | null = null;
  if (lastDot >= 0 && lastComma >= 0) {
    decimal = lastDot > lastComma ? '.' : ',';
  } else if (lastDot >= 0 || lastComma >= 0) {
    const sep: '.' | ',' = lastDot >= 0 ? '.' : ',';
    const count = num.split(sep).length - 1;
    decimal = count === 1 && !GROUPED(sep).test(num) ? sep : null;
    if (decimal === null && !GROUPED(sep).test(num)) return { ok: false, reason: 'The price is not a number' };
  }
  let int = num;
  let frac = '';
  if (decimal) {
    const at = num.lastIndexOf(decimal);
    int = num.slice(0, at);
    frac = num.slice(at + 1);
    const thousands = decimal === '.' ? ',' : '.';
    if (int.includes(thousands) && !GROUPED(thousands).test(int)) return { ok: false, reason: 'The price is not a number' };
    if (!int.includes(thousands) && int.includes(decimal)) return { ok: false, reason: 'The price is not a number' };
    int = int.split(thousands).join('');
  } else {
    int = num.replace(/[.,]/g, '');
  }
  return { ok: true, amount: { int, frac }, currency };
}

/** The amount in minor units of `currency`: trailing zeros beyond its digits are fine, other extra decimals are not. */
export function toMinorUnits(amount: { int: string; frac: string }, currency: string): number | string {
  const digits = DIGITS.get(currency) ?? 2;
  const frac = amount.frac.replace(/0+$/, '');
  if (frac.length > digits) {
    return digits === 0 ? `${currency} prices have no decimals` : `The price has more than ${digits} decimals`;
  }
  const minor = Number(amount.int + frac.padEnd(digits, '0'));
  if (!Number.isSafeInteger(minor)) return 'The price is too large';
  return minor;
}
