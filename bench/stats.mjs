// The statistics and number formatting every benchmark report here shares.

/** The median of the finite values of `xs` (NaN when there are none). */
export function median(xs) {
  const s = (xs || []).filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
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
