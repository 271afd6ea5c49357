/**
 * One value for a CSV file we write: a value a spreadsheet would run as a formula (starting with = + - @,
 * TAB or CR; OWASP "CSV injection") gets a leading `'`, then the value is always quoted, inner quotes
 * doubled, so delimiters and line breaks stay inside the cell whatever the delimiter.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}
