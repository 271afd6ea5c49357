/** Country codes offered in pickers (ISO 3166-1 alpha-2); names come from Intl.DisplayNames. */
export const COUNTRIES =
  'AD AE AF AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT BW BY BZ CA CD CF CG CH CI CL CM CN CO CR CU CV CY CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI FJ FR GA GB GD GE GH GM GN GQ GR GT GW GY HK HN HR HT HU ID IE IL IN IQ IR IS IT JM JO JP KE KG KH KM KN KR KW KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MG MK ML MM MN MR MT MU MV MW MX MY MZ NA NE NG NI NL NO NP NZ OM PA PE PG PH PK PL PT PY QA RE RO RS RU RW SA SC SD SE SG SI SK SL SM SN SO SR SV SY SZ TD TG TH TJ TN TR TT TW TZ UA UG US UY UZ VA VE VN YE ZA ZM ZW'.split(
    ' ',
  );

/** Languages offered (ISO 639-1); more can be added, the server accepts any valid code. */
export const LANGUAGES =
  'ar bg ca cs da de el en es et eu fa fi fr ga he hi hr hu id it ja ko lt lv nl no pl pt ro ru sk sl sr sv th tr uk vi zh'.split(
    ' ',
  );

export const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'CAD', 'AUD', 'JPY', 'SEK', 'NOK', 'DKK', 'PLN'];

export const LANGUAGE_LEVELS = ['A1', 'A2', 'B1', 'B2', 'C1', 'C2', 'NATIVE'] as const;
export const LINK_TYPES = ['LINKEDIN', 'GITHUB', 'MALT', 'WEBSITE', 'PORTFOLIO', 'OTHER'] as const;
export const REMOTE = ['ONSITE', 'HYBRID', 'REMOTE'] as const;
export const AVAILABILITY = ['AVAILABLE', 'PARTIALLY_AVAILABLE', 'UNAVAILABLE'] as const;

/** Sorted by their name in the current language. */
export const byName = (codes: string[], name: (c: string) => string, locale: string) =>
  codes.map((c) => ({ value: c, label: name(c) })).sort((a, b) => a.label.localeCompare(b.label, locale));
