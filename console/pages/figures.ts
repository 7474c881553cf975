/**
 * The seller's figures (local/figures.ts, as `npm run report` prints them): on-time share, cancellations the seller
 * caused, returns, payout gaps, each with a small bar chart per day as inline SVG.
 */
import { html, raw } from 'hono/html';
import { type DayFigures, FIGURES } from '../../local/figures';
import type { Key } from '../i18n';
import type { Html, PageContext } from './layout';

const DAYS = 14;

/** Bars per day, the day's value on hover; a day without a value (no postings for a share) has no bar. */
function bars(values: { day: string; value: number | undefined }[], max: number, unit = ''): string {
  const w = 280;
  const h = 70;
  const step = w / Math.max(values.length, 1);
  const rects = values.flatMap((v, i) => {
    if (v.value === undefined) return [];
    const bh = max > 0 ? Math.max(v.value > 0 ? 2 : 0, (v.value / max) * (h - 14)) : 0;
    return [
      `<rect x="${(i * step + 1).toFixed(1)}" y="${(h - 12 - bh).toFixed(1)}" width="${Math.max(step - 2, 1).toFixed(1)}" height="${bh.toFixed(1)}"><title>${v.day}: ${v.value}${unit}</title></rect>`,
    ];
  });
  const first = values[0]?.day.slice(5) ?? '';
  const last = values.at(-1)?.day.slice(5) ?? '';
  return `<svg viewBox="0 0 ${w} ${h}" width="100%" role="img"><line x1="0" x2="${w}" y1="${h - 12}" y2="${h - 12}" stroke="#e3e6ec"/>${rects.join('')}<text x="0" y="${h - 1}">${first}</text><text x="${w}" y="${h - 1}" text-anchor="end">${last}</text></svg>`;
}

const onTimeOf = (d: Pick<DayFigures, 'received' | 'confirmedLate' | 'carriageMissed'>) =>
  d.received
    ? Math.max(0, Math.round((100 * (d.received - d.confirmedLate - d.carriageMissed)) / d.received))
    : undefined;

/** Every one of the last `count` days up to `now`, a day without figures as zeros. */
function lastDays(days: DayFigures[], now: number, count: number): DayFigures[] {
  const byDay = new Map(days.map((d) => [d.day, d]));
  return Array.from({ length: count }, (_, i) => {
    const day = new Date(now - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10);
    return byDay.get(day) ?? ({ day, ...Object.fromEntries(FIGURES.map((f) => [f, 0])) } as DayFigures);
  });
}

export async function figuresPage(ctx: PageContext): Promise<Html> {
  const { t } = ctx;
  const figures = await ctx.source.figures(DAYS);
  const { total } = figures;
  const days = lastDays(figures.days, ctx.source.now(), DAYS);
  const card = (key: Key, big: string, series: { day: string; value: number | undefined }[], note = '', unit = '') => {
    const max = Math.max(...series.map((s) => s.value ?? 0), 0);
    return html`<div class="card" data-figure="${key}"><div class="muted">${t(key)}</div><div class="big">${big}</div>
      ${note ? html`<div class="muted">${note}</div>` : ''}${raw(bars(series, unit === '%' ? 100 : max, unit))}</div>`;
  };
  const series = (f: (d: DayFigures) => number | undefined) => days.map((d) => ({ day: d.day, value: f(d) }));
  return html`<h1>${t('figures')} · ${t('lastDays', { n: DAYS })}</h1>
<div class="cards">
  ${card('onTime', `${onTimeOf(total) ?? 100}%`, series(onTimeOf), `${total.confirmedLate + total.carriageMissed} ${t('lateOrMissed')}`, '%')}
  ${card(
    'received',
    String(total.received),
    series((d) => d.received),
  )}
  ${card(
    'sellerCancellations',
    String(total.cancelledBySeller),
    series((d) => d.cancelledBySeller),
  )}
  ${card(
    'returnsFigure',
    String(total.returns),
    series((d) => d.returns),
  )}
  ${card(
    'payoutGaps',
    String(total.payoutGaps),
    series((d) => d.payoutGaps),
  )}
</div>`;
}
