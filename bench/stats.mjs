// The statistics and number formatting every benchmark report here shares.

/** The median of the finite values of `xs` (NaN when there are none). */
export function median(xs) {
  const s = (xs || []).filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentiles of µs samples. */
export function percentiles(us) {
  const s = Float64Array.from(us).sort();
  const n = s.length;
  const q = (p) => s[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
  let sum = 0;
  for (const x of s) sum += x;
  // the slowest samples and where they were, to tell a one-off stall from a steady cost
  const worst = Array.from(us, (v, i) => [i, v]).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([i, v]) => [i, +v.toFixed(1)]);
  return { n, p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999), max: s[n - 1], mean: sum / n, sumMs: sum / 1000, worst };
}

/** `x` with `digits` decimals, or three significant figures or so; '–' when not a number. */
export function num(x, digits) {
  if (!Number.isFinite(x)) return '–';
  if (digits !== undefined) return x.toFixed(digits);
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toFixed(3);
}

/** a / b, NaN unless both are numbers and b is positive. */
export const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);

/** A ratio as "1.23×", or '–'. */
export const fmtR = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');

/** A Markdown table: the first column left-aligned, the others right-aligned. */
export const mdTable = (headers, rows) =>
  [headers, headers.map((_, i) => (i === 0 ? '---' : '---:')), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');

/** The report's warnings section, as lines (none when there are no warnings). */
export const warningLines = (warnings) => (warnings.length ? ['## ⚠ Warnings', '', ...warnings.map((w) => `- ${w}`), ''] : []);

/** "6 MET, 5 MISSED, 0 NOT MEASURED of 11" for targets with a `status`. */
export function targetCounts(targets) {
  const counts = ['MET', 'MISSED', 'NOT MEASURED'].map((s) => `${targets.filter((t) => t.status === s).length} ${s}`);
  return `${counts.join(', ')} of ${targets.length}`;
}
