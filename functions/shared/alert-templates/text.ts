/** The seller-facing text of each alert kind in one language. Pure. */
import type { AlertFacts, AlertKind } from '../alert-text';

export type Text = { what: string; todo: string };
export type Templates = { [K in AlertKind]: (f: Extract<AlertFacts, { kind: K }>) => Text };

export const lines = (f: { lines: { offerId: string; missing: number }[] }) =>
  f.lines.map((l) => `${l.offerId} ×${l.missing}`).join(', ');

/** The words of the digest in one language: each incident kind, each analytics metric, and the frame. */
export interface DigestWords {
  incidents: Record<string, string>;
  metrics: Record<string, string>;
  none: string;
}

/** The digest's figures as text: the product's own figures, then one line per SKU with Ozon's metrics. */
export function digestBody(
  f: {
    incidents: Record<string, number>;
    offers: { offerId: string; incidents: Record<string, number> }[];
    skus: { sku: string; name: string; metrics: Record<string, number> }[];
  },
  w: DigestWords,
): { figures: string; offers: string; skus: string } {
  const counted = (incidents: Record<string, number>) =>
    Object.entries(incidents)
      .map(([k, n]) => `${w.incidents[k] ?? k} ${n}`)
      .join(', ');
  const figures = counted(f.incidents);
  const offers = f.offers.map((o) => `${o.offerId}: ${counted(o.incidents)}`).join('; ');
  const value = (m: string, v: number) => (m === 'conv_tocart' ? `${Math.round(v * 100) / 100}%` : String(v));
  const skus = f.skus.length
    ? f.skus
        .map(
          (s) =>
            `${s.name || s.sku} (${s.sku}): ${Object.entries(s.metrics)
              .map(([m, v]) => `${w.metrics[m] ?? m} ${value(m, v)}`)
              .join(', ')}`,
        )
        .join('; ')
    : w.none;
  return { figures, offers, skus };
}
