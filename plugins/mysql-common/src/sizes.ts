const UNITS = [
  ['T', 1024 ** 4],
  ['G', 1024 ** 3],
  ['M', 1024 ** 2],
  ['K', 1024],
] as const;

const MULTIPLIERS: Record<string, number> = Object.fromEntries(UNITS);

const SIZE = /^(\d+)([KMGT])?$/i;

/**
 * Parses a byte size as MySQL option files write it: a plain integer or an
 * integer with a `K`, `M`, `G` or `T` suffix (case-insensitive, powers of
 * 1024). Returns undefined for anything else, including negatives,
 * fractions, whitespace and values beyond `Number.MAX_SAFE_INTEGER`.
 *
 * @public
 */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }
  if (typeof value !== 'string') {
    return undefined;
  }
  const match = SIZE.exec(value);
  if (!match) {
    return undefined;
  }
  const multiplier = match[2] ? MULTIPLIERS[match[2].toUpperCase()] : 1;
  const bytes = Number(match[1]) * multiplier;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/**
 * Formats a byte count with the largest unit that divides it exactly:
 * `268435456` gives `256M`, `1536` stays `1536`.
 *
 * @public
 */
export function formatSize(bytes: number): string {
  if (Number.isSafeInteger(bytes) && bytes > 0) {
    for (const [unit, multiplier] of UNITS) {
      if (bytes % multiplier === 0) {
        return `${bytes / multiplier}${unit}`;
      }
    }
  }
  return String(bytes);
}
