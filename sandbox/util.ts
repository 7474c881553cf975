/** Small shared helpers: money rounding and ISO dates. */
export const round2 = (n: number) => Math.round(n * 100) / 100;
/** "1490.00" */
export const money = (n: number) => round2(n).toFixed(2);
export const iso = (ms: number) => new Date(ms).toISOString();
export const HOUR = 3_600_000;
