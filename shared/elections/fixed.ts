/** One vote in the Scottish count's units: values are whole multiples of 0.00001. */
export const UNIT = 100_000;

/** Formats a non-negative integer amount of `scale` units as a decimal string with `digits` places, truncating. */
export function formatFixed(units: bigint | number, scale: bigint | number, digits: number): string {
  const u = BigInt(units);
  const s = BigInt(scale);
  const whole = u / s;
  const frac = ((u % s) * 10n ** BigInt(digits)) / s;
  return digits === 0 ? String(whole) : `${whole}.${String(frac).padStart(digits, '0')}`;
}

/** Formats Scottish count units (1e-5 of a vote) as "n.nnnnn". */
export function format5(units: number): string {
  return formatFixed(units, UNIT, 5);
}

/**
 * floor(a * b / c) for non-negative safe integers, exact: uses doubles while the product is
 * exactly representable (the fast path for real elections) and BigInt beyond that.
 */
export function mulDivFloor(a: number, b: number, c: number): number {
  const product = a * b;
  if (product > Number.MAX_SAFE_INTEGER) return Number((BigInt(a) * BigInt(b)) / BigInt(c));
  let q = Math.floor(product / c);
  // The division is rounded to the nearest double, so the floor can be one off either way.
  const r = product - q * c;
  if (r < 0) q -= 1;
  else if (r >= c) q += 1;
  return q;
}
