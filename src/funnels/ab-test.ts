/**
 * Two-proportion z-test (pooled), two-sided: the p-value of "variant B converts at the same rate
 * as A", shown beside each variant and labelled as such — no invented "confidence". Null when it
 * is undefined (an empty group, or every visitor converted or none did).
 */
export function twoProportionPValue(nA: number, convA: number, nB: number, convB: number): number | null {
  if (nA === 0 || nB === 0) return null;
  const pooled = (convA + convB) / (nA + nB);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB));
  if (se === 0) return null;
  const z = Math.abs(convA / nA - convB / nB) / se;
  return Math.min(1, 2 * (1 - normalCdf(z)));
}

/** Φ(z) by the Abramowitz–Stegun 7.1.26 erf approximation (|error| < 1.5e-7, ample for a p-value). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
