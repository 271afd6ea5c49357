import { ApiError } from '../api/errors';
import type { I18n } from '../i18n/i18n';

/** Field path (e.g. `skills.2.level`) → the translated message of the server's first issue there. */
export type FieldErrors = Record<string, string>;

export function fieldErrorsOf(err: unknown, i18n: Pick<I18n, 'field'>): FieldErrors {
  if (!(err instanceof ApiError)) return {};
  const out: FieldErrors = {};
  for (const f of err.fields) out[f.path] ??= i18n.field(f.message);
  // a CONFLICT or a file refusal names the field it is about (`handle`, `key`)
  if (err.code === 'CONFLICT' && err.details.field === 'handle') out.handle ??= '';
  return out;
}

/** Issues whose path no input on screen shows: listed in the form's summary instead. */
export function unplacedErrors(errors: FieldErrors, shown: (path: string) => boolean): [string, string][] {
  return Object.entries(errors).filter(([path, msg]) => msg && !shown(path));
}
