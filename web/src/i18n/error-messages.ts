import type { ApiError, ErrorCode } from '../api/errors';
import type { Locale, MessageKey } from './messages';

/** One human sentence per error code the API can return, in both languages. */
const BY_CODE: Record<Locale, Record<ErrorCode, string>> = {
  fr: {
    BAD_USER_INPUT: 'Certaines valeurs ne conviennent pas : corrigez les champs signalés.',
    UNAUTHENTICATED: 'Votre session a expiré : reconnectez-vous.',
    FORBIDDEN: 'Vous n’avez pas accès à cette action.',
    ACCOUNT_NOT_VERIFIED: 'Confirmez d’abord votre adresse e-mail avec le code reçu.',
    NOT_FOUND: 'Introuvable : l’élément a peut-être été supprimé.',
    CONFLICT: 'Ces données ont été modifiées ailleurs entre-temps.',
    RATE_LIMITED: 'Trop de tentatives : patientez un peu avant de réessayer.',
    UNSUPPORTED_TYPE: 'Ce type de fichier n’est pas accepté (catalogues : CSV, XLSX, JSON ou NDJSON).',
    TOO_LARGE: 'Le fichier est trop volumineux.',
    UPLOAD_EXPIRED: 'Le délai d’envoi a expiré : recommencez.',
    TOO_MANY_REJECTS:
      'Trop de lignes sont rejetées : le catalogue n’a pas été modifié. Corrigez les lignes listées dans le fichier des erreurs puis relancez l’import.',
    MISSING_COLUMNS:
      'Le fichier n’a pas de colonne reconnue pour la référence (sku) ou le nom : renommez les en-têtes ou enregistrez une correspondance de colonnes.',
    EMPTY_FILE: 'Le fichier ne contient aucune ligne de produit.',
    QUERY_TOO_COMPLEX: 'La demande est trop complexe pour le serveur.',
    GRAPHQL_PARSE_FAILED: 'L’application a envoyé une demande invalide. Rechargez la page.',
    GRAPHQL_VALIDATION_FAILED: 'L’application a envoyé une demande invalide. Rechargez la page.',
    UNAVAILABLE: 'Le service est momentanément indisponible. Réessayez dans un instant.',
    INTERNAL: 'Une erreur inattendue s’est produite. Réessayez ; si elle persiste, contactez l’équipe.',
    NETWORK: 'Le serveur est injoignable : vérifiez votre connexion.',
  },
  en: {
    BAD_USER_INPUT: 'Some values are not right: correct the highlighted fields.',
    UNAUTHENTICATED: 'Your session has expired: please sign in again.',
    FORBIDDEN: 'You are not allowed to do this.',
    ACCOUNT_NOT_VERIFIED: 'First confirm your e-mail address with the code we sent you.',
    NOT_FOUND: 'Not found: it may have been deleted.',
    CONFLICT: 'This was changed elsewhere in the meantime.',
    RATE_LIMITED: 'Too many attempts: please wait a little before trying again.',
    UNSUPPORTED_TYPE: 'This type of file is not accepted (catalogs: CSV, XLSX, JSON or NDJSON).',
    TOO_LARGE: 'The file is too large.',
    UPLOAD_EXPIRED: 'The upload took too long: please start again.',
    TOO_MANY_REJECTS:
      'Too many rows were rejected: the catalog was not changed. Fix the rows listed in the errors file and import again.',
    MISSING_COLUMNS:
      'The file has no column recognised as the reference (sku) or the name: rename the headers or save a column mapping.',
    EMPTY_FILE: 'The file has no product rows.',
    QUERY_TOO_COMPLEX: 'The request is too complex for the server.',
    GRAPHQL_PARSE_FAILED: 'The application sent an invalid request. Reload the page.',
    GRAPHQL_VALIDATION_FAILED: 'The application sent an invalid request. Reload the page.',
    UNAVAILABLE: 'The service is unavailable for a moment. Try again shortly.',
    INTERNAL: 'Something unexpected went wrong. Try again; if it persists, contact the team.',
    NETWORK: 'The server cannot be reached: check your connection.',
  },
};

/** Finer messages for the server's own wording of some errors (identity and files). */
const BY_MESSAGE: { test: RegExp; key: MessageKey }[] = [
  { test: /incorrect e-mail or password/i, key: 'err.invalidCredentials' },
  { test: /account is disabled/i, key: 'err.disabled' },
  { test: /too many failed sign-ins/i, key: 'err.lockedOut' },
  { test: /code is invalid or has expired/i, key: 'err.badCode' },
  { test: /handle is already taken/i, key: 'err.handleTaken' },
  { test: /already has a profile/i, key: 'err.alreadyHasProfile' },
  { test: /refresh token reused|session was signed out|expired or signed out/i, key: 'err.sessionEnded' },
  { test: /current password is wrong/i, key: 'err.wrongCurrentPassword' },
  { test: /cannot remove their own admin/i, key: 'err.ownAdmin' },
  { test: /code is wrong or was already used/i, key: 'err.badMfaCode' },
  { test: /sign-in step expired|sign-in code is invalid, expired or already used/i, key: 'err.signInStepExpired' },
  { test: /must use two-factor authentication/i, key: 'signIn.mfaSetupRequired' },
];

export function errorText(
  locale: Locale,
  err: ApiError | null,
  t: (key: MessageKey, vars?: Record<string, string | number>) => string,
): string {
  if (!err) return BY_CODE[locale].INTERNAL;
  const refined = BY_MESSAGE.find((m) => m.test.test(err.message));
  if (refined) return t(refined.key);
  if (err.code === 'RATE_LIMITED' && typeof err.details.retryAfterSeconds === 'number') {
    return t('err.retryIn', { seconds: err.details.retryAfterSeconds });
  }
  return BY_CODE[locale][err.code];
}

/** Server validation messages (English, stable) → French; English is shown capitalized as sent. */
const FIELD_FR: [RegExp, string][] = [
  [/^is required$/, 'Ce champ est obligatoire.'],
  [/^cannot be null$/, 'Ce champ ne peut pas être vidé.'],
  [/^must be at most (\d+) characters$/, 'Au plus $1 caractères.'],
  [/^needs at least (\d+) characters$/, 'Au moins $1 caractères.'],
  [/^must be at least ([\d.]+)$/, 'Doit valoir au moins $1.'],
  [/^must be at most ([\d.]+)$/, 'Doit valoir au plus $1.'],
  [/^must be a number$/, 'Doit être un nombre.'],
  [/^must be a whole number$/, 'Doit être un nombre entier.'],
  [/^must be an absolute http\(s\) URL$/, 'Doit être une adresse web complète (https://…).'],
  [/^must not contain credentials$/, 'Ne doit pas contenir d’identifiants.'],
  [/^must point at (\w+)'s site$/, 'Doit pointer vers le site de $1.'],
  [/^must be a date as YYYY-MM-DD$/, 'Doit être une date valide.'],
  [/^is not a real date$/, 'Cette date n’existe pas.'],
  [/^must be 3 to 30 characters among a-z, 0-9, - and _$/, 'De 3 à 30 caractères parmi a-z, 0-9, - et _.'],
  [/^(must be a valid|is not a valid) e-mail address$/, 'Adresse e-mail invalide.'],
  [/^at most \d+ characters$/, 'Trop long.'],
  [/^must be a valid phone number.*$/, 'Numéro invalide : format international, par ex. +33612345678.'],
  [/^must be an ISO 3166-1 alpha-2 country code$/, 'Pays inconnu.'],
  [/^must be an ISO 4217 currency code$/, 'Devise inconnue.'],
  [/^must be an ISO 639-1 language code$/, 'Langue inconnue.'],
  [/^is required with a daily rate$/, 'Obligatoire avec un tarif journalier.'],
  [/^at most (\d+) main skills$/, 'Au plus $1 compétences principales.'],
  [/^at most (\d+) distinct skills$/, 'Au plus $1 compétences.'],
  [/^too many skills$/, 'Trop de compétences.'],
  [/^at most (\d+) languages$/, 'Au plus $1 langues.'],
  [/^at most (\d+) links$/, 'Au plus $1 liens.'],
  [/^at most (\d+) tags$/, 'Au plus $1 étiquettes.'],
  [/^is one of the most common passwords; choose another$/, 'Ce mot de passe est trop courant : choisissez-en un autre.'],
  [/^must not be your e-mail address$/, 'Ne doit pas être votre adresse e-mail.'],
  [/^is not your current password$/, 'Ce n’est pas votre mot de passe actuel.'],
  [/^The code is invalid or has expired$/, 'Code invalide ou expiré.'],
  [/^would remove your own admin rights$/, 'Vous retireriez vos propres droits d’administration.'],
  [/^an admin cannot disable their own account$/, 'Un administrateur ne peut pas désactiver son propre compte.'],
];

const capitalize = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.') : s);

/** GraphQL's own coercion messages, reduced to the server's wording. */
const normalize = (message: string) =>
  /^Int cannot represent/.test(message)
    ? 'must be a whole number'
    : /^(Float|Int) cannot represent/.test(message)
      ? 'must be a number'
      : message;

export function fieldText(locale: Locale, raw: string): string {
  const message = normalize(raw);
  if (locale === 'en') return capitalize(message);
  for (const [re, fr] of FIELD_FR) if (re.test(message)) return message.replace(re, fr);
  return 'Valeur refusée.';
}

/** An import's reasons for rejecting a row (English, stable: src/modules/catalog/import/) → French. */
const REJECT_FR: [RegExp, string][] = [
  [/^The SKU is missing$/, 'La référence (sku) manque.'],
  [/^The SKU is longer than (\d+) characters$/, 'La référence dépasse $1 caractères.'],
  [
    /^The SKU contains a line break or a control character$/,
    'La référence contient un retour à la ligne ou un caractère de contrôle.',
  ],
  [/^The name is missing$/, 'Le nom manque.'],
  [/^The name is longer than (\d+) characters$/, 'Le nom dépasse $1 caractères.'],
  [/^The price is not a number$/, 'Le prix n’est pas un nombre.'],
  [/^The price is negative$/, 'Le prix est négatif.'],
  [/^The price is too large$/, 'Le prix est trop élevé.'],
  [/^The price names two currencies$/, 'Le prix indique deux devises.'],
  [/^"(.*)" is not a known currency$/, '« $1 » n’est pas une devise connue.'],
  [/^"(.*)" is not an ISO 4217 currency code$/, '« $1 » n’est pas un code de devise ISO 4217.'],
  [/^The price is in (\w+) but the currency column says (\w+)$/, 'Le prix est en $1 mais la colonne devise indique $2.'],
  [/^The stock is not a number$/, 'Le stock n’est pas un nombre.'],
  [/^The stock must be a whole number$/, 'Le stock doit être un nombre entier.'],
  [/^The stock cannot be negative$/, 'Le stock ne peut pas être négatif.'],
  [/^The stock is too large$/, 'Le stock est trop élevé.'],
  [/^The URL must be an http\(s\) address$/, 'L’adresse web doit commencer par http(s).'],
  [/^Image URLs must be http\(s\) addresses \((.*)\)$/, 'Les adresses d’images doivent commencer par http(s) ($1).'],
  [/^A list is not accepted for the (\w+)$/, 'Une liste n’est pas acceptée pour le champ $1.'],
  [/^The item is not a JSON object$/, 'L’élément n’est pas un objet JSON.'],
  [/^A list of objects or lists is not accepted here$/, 'Une liste d’objets ou de listes n’est pas acceptée ici.'],
  [/^Objects nested this deep are not accepted$/, 'Des objets aussi imbriqués ne sont pas acceptés.'],
  [/^duplicate sku, first on line (\d+)$/, 'Référence en double (déjà ligne $1).'],
];

/** A rejected row's reason in the current language (the server's English when no translation is known). */
export function rejectText(locale: Locale, reason: string): string {
  if (locale === 'en') return reason ? reason[0]!.toUpperCase() + reason.slice(1) : reason;
  for (const [re, fr] of REJECT_FR) if (re.test(reason)) return reason.replace(re, fr);
  return reason;
}
