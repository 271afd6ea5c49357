/** RFC 5987 attr-char: what may stay unencoded in `filename*`. */
const ATTR_CHAR = /^[A-Za-z0-9!#$&+\-.^_`|~]$/;

const encodeRfc5987 = (value: string): string =>
  Array.from(new TextEncoder().encode(value), (byte) => {
    const c = String.fromCharCode(byte);
    return ATTR_CHAR.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');

const isControlOrSeparator = (c: string) => {
  const code = c.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f || c === '/' || c === '\\';
};
/** Printable ASCII that needs no escaping inside a quoted-string (and no `%`, which some browsers decode). */
const isPlainAscii = (c: string) => {
  const code = c.codePointAt(0) ?? 0;
  return code >= 0x20 && code < 0x7f && c !== '"' && c !== '\\' && c !== '%';
};

/**
 * `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266 with RFC 5987 encoding): the quoted ASCII
 * fallback for old clients, the exact UTF-8 name for the others. The name comes from a user, so
 * control characters and path separators are replaced first: a header must not be split, nor a
 * directory implied.
 */
export function attachmentDisposition(fileName: string): string {
  const clean = Array.from(fileName.trim(), (c) => (isControlOrSeparator(c) ? '_' : c)).join('') || 'download';
  const fallback = Array.from(clean, (c) => (isPlainAscii(c) ? c : '_')).join('');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(clean)}`;
}
