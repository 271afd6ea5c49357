/** GTIN-8, -12 (UPC), -13 (EAN) and -14: digits only, mod-10 check digit (weights 3,1 from the right). */
export function gtinProblem(digits: string): string | null {
  if (!/^\d+$/.test(digits)) return 'The EAN/GTIN must contain digits only';
  if (![8, 12, 13, 14].includes(digits.length)) return 'The EAN/GTIN must have 8, 12, 13 or 14 digits';
  let sum = 0;
  for (let i = digits.length - 2, weight = 3; i >= 0; i--, weight = 4 - weight) sum += Number(digits[i]) * weight;
  const check = (10 - (sum % 10)) % 10;
  return check === Number(digits[digits.length - 1]) ? null : 'The EAN/GTIN check digit is wrong';
}
