/**
 * Headers as keys of a RawRow: trimmed, an empty one named `column N` (1-based), a repeated one suffixed
 * ` (2)`, ` (3)`… so that no value overwrites another.
 */
export function uniqueHeaders(cells: readonly (string | null)[]): string[] {
  const seen = new Set<string>();
  return cells.map((cell, i) => {
    const base = (cell ?? '').replace(/^\uFEFF/, '').trim() || `column ${i + 1}`;
    let name = base;
    for (let n = 2; seen.has(name); n++) name = `${base} (${n})`;
    seen.add(name);
    return name;
  });
}

/**
 * `record[key] = value`, as an own property even for `__proto__` (a header or JSON key like any other):
 * plain assignment would set the object's prototype instead, or silently drop a string.
 */
export function put<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

/** `record[key]` when it is the record's own (`constructor`, `toString`… are not mappings). */
export const own = <T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined =>
  record && Object.hasOwn(record, key) ? record[key] : undefined;
