/**
 * The Mann-Whitney U test and the Hodges-Lehmann shift, for judging a canary's per-minute samples
 * against stable's. Pure. Conventions follow scipy.stats.mannwhitneyu: U is the statistic of the
 * first sample (x), U = R_x − n_x(n_x+1)/2 with midranks for ties; "greater" means x tends to be
 * larger than y.
 *
 * - exact: the null distribution of U counted over all arrangements, used when there are no ties
 *   and n_x + n_y ≤ EXACT_MAX_TOTAL (counts stay below 2^53, so doubles hold them exactly);
 * - asymptotic: the normal approximation with the tie-corrected variance and a continuity
 *   correction of 0.5 (scipy's method='asymptotic', use_continuity=True).
 */

/** The largest n_x + n_y the exact distribution is used for: C(50, 25) ≈ 1.3e14 < 2^53. */
export const EXACT_MAX_TOTAL = 50;

export type MannWhitneyMethod = 'exact' | 'asymptotic';

export interface MannWhitneyResult {
  /** U of x. */
  u: number;
  /** P(U at least this far from n_x·n_y/2, either way) under the null. */
  pTwoSided: number;
  /** One-sided: the evidence that x tends to be greater than y. */
  pGreater: number;
  /** One-sided: the evidence that x tends to be less than y. */
  pLess: number;
  method: MannWhitneyMethod;
  nx: number;
  ny: number;
}

function requireSamples(x: readonly number[], y: readonly number[]): void {
  if (x.length === 0 || y.length === 0) {
    throw new RangeError(
      `the Mann-Whitney test needs both samples non-empty (got ${x.length} and ${y.length})`,
    );
  }
  if (![...x, ...y].every(Number.isFinite)) throw new RangeError('the Mann-Whitney test needs finite values');
}

/** Midranks (1-based) of the pooled samples, and Σ(t³ − t) over groups of t tied values. */
function pooledRanks(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(values.length);
  let tieTerm = 0;
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && order[end]!.value === order[start]!.value) end++;
    const midrank = (start + 1 + end) / 2;
    for (let position = start; position < end; position++) ranks[order[position]!.index] = midrank;
    const tied = end - start;
    tieTerm += tied ** 3 - tied;
    start = end;
  }
  return { ranks, tieTerm };
}

/**
 * How many arrangements of nx x's and ny y's give each U = 0 … nx·ny (no ties): the recurrence
 * f(m, n; u) = f(m−1, n; u−n) + f(m, n−1; u), on whether the largest value is an x or a y
 * (Mann & Whitney 1947, eq. 1).
 */
export function exactUCounts(nx: number, ny: number): number[] {
  // row[n] is f(m, n; ·) for the current m.
  let row: number[][] = Array.from({ length: ny + 1 }, () => [1]);
  for (let m = 1; m <= nx; m++) {
    const next: number[][] = [[1]];
    for (let n = 1; n <= ny; n++) {
      const counts = new Array<number>(m * n + 1).fill(0);
      const withoutY = next[n - 1]!;
      const withoutX = row[n]!;
      for (let u = 0; u < withoutY.length; u++) counts[u]! += withoutY[u]!;
      for (let u = 0; u < withoutX.length; u++) counts[u + n]! += withoutX[u]!;
      next.push(counts);
    }
    row = next;
  }
  return row[ny]!;
}

export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  requireSamples(x, y);
  const nx = x.length;
  const ny = y.length;
  const { ranks, tieTerm } = pooledRanks([...x, ...y]);
  const rankSumX = ranks.slice(0, nx).reduce((sum, rank) => sum + rank, 0);
  const u = rankSumX - (nx * (nx + 1)) / 2;
  const uY = nx * ny - u;
  if (tieTerm === 0 && nx + ny <= EXACT_MAX_TOTAL) {
    const counts = exactUCounts(nx, ny);
    const total = counts.reduce((sum, count) => sum + count, 0);
    const atLeast = (value: number) =>
      counts.slice(Math.ceil(value)).reduce((sum, count) => sum + count, 0) / total;
    const pGreater = atLeast(u);
    const pLess = atLeast(uY);
    return {
      u,
      pTwoSided: Math.min(1, 2 * Math.min(pGreater, pLess)),
      pGreater,
      pLess,
      method: 'exact',
      nx,
      ny,
    };
  }
  const n = nx + ny;
  const mean = (nx * ny) / 2;
  const sd = Math.sqrt(((nx * ny) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  // Every value equal (sd 0): no evidence either way.
  const upperTail = (statistic: number) => (sd === 0 ? 1 : normalSf((statistic - mean - 0.5) / sd));
  return {
    u,
    pTwoSided: Math.min(1, 2 * upperTail(Math.max(u, uY))),
    pGreater: Math.min(1, upperTail(u)),
    pLess: Math.min(1, upperTail(uY)),
    method: 'asymptotic',
    nx,
    ny,
  };
}

export interface ShiftEstimate {
  /** The Hodges-Lehmann estimate of x − y: the median of all n_x·n_y pairwise differences. */
  shift: number;
  /** The rank-based confidence interval of the shift at `confidence`. */
  lower: number;
  upper: number;
  confidence: number;
}

/**
 * The Hodges-Lehmann shift of x over y and its distribution-free confidence interval: the k-th
 * smallest and k-th largest pairwise differences, k the lower α/2 quantile of U under the null
 * (exact when no ties and n_x + n_y ≤ EXACT_MAX_TOTAL, else its normal approximation); Hollander,
 * Wolfe & Chicken, Nonparametric Statistical Methods (3rd ed.), §4.3, as R's wilcox.test computes it.
 */
export function hodgesLehmannShift(
  x: readonly number[],
  y: readonly number[],
  confidence: number,
): ShiftEstimate {
  requireSamples(x, y);
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`confidence must be in (0, 1) (got ${confidence})`);
  const differences = x.flatMap((xi) => y.map((yj) => xi - yj)).sort((a, b) => a - b);
  const count = differences.length;
  const middle = Math.floor(count / 2);
  const shift =
    count % 2 === 1 ? differences[middle]! : (differences[middle - 1]! + differences[middle]!) / 2;
  const k = Math.min(Math.max(1, lowerUQuantile(x, y, (1 - confidence) / 2)), Math.ceil(count / 2));
  return { shift, lower: differences[k - 1]!, upper: differences[count - k]!, confidence };
}

/** The smallest u with P(U ≤ u) ≥ p under the null (R's qwilcox), or its normal approximation. */
function lowerUQuantile(x: readonly number[], y: readonly number[], p: number): number {
  const nx = x.length;
  const ny = y.length;
  const { tieTerm } = pooledRanks([...x, ...y]);
  if (tieTerm === 0 && nx + ny <= EXACT_MAX_TOTAL) {
    const counts = exactUCounts(nx, ny);
    const total = counts.reduce((sum, value) => sum + value, 0);
    let cumulative = 0;
    for (let u = 0; u < counts.length; u++) {
      cumulative += counts[u]!;
      if (cumulative / total >= p) return u;
    }
    return counts.length - 1;
  }
  const n = nx + ny;
  const sd = Math.sqrt(((nx * ny) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  return Math.floor((nx * ny) / 2 + normalQuantile(p) * sd);
}

// ── the normal distribution ──────────────────────────────────────────────────

/**
 * erfc with fractional error below 1.2e-7 everywhere, tails included (a Chebyshev fit):
 * Press et al., Numerical Recipes in C (2nd ed.), §6.2, erfcc.
 */
/** Numerical Recipes' erfcc coefficients, lowest order first. */
const ERFCC = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587,
  -0.82215223, 0.17087277,
];

export function erfc(value: number): number {
  const z = Math.abs(value);
  const t = 1 / (1 + 0.5 * z);
  const polynomial = ERFCC.reduceRight((sum, coefficient) => sum * t + coefficient, 0);
  const result = t * Math.exp(-z * z + polynomial);
  return value >= 0 ? result : 2 - result;
}

/** P(Z > z) for a standard normal Z, to the relative accuracy of erfc. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

export function normalCdf(z: number): number {
  return normalSf(-z);
}

/**
 * The standard normal quantile, relative error below 1.15e-9: Peter J. Acklam's rational
 * approximation (2003), https://web.archive.org/web/20151030215612/http://home.online.no/~pjacklam/notes/invnorm/
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`a normal quantile needs 0 < p < 1 (got ${p})`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
    ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  const pLow = 0.02425;
  if (p < pLow) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - pLow) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}
