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
