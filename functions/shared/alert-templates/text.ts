/** The seller-facing text of each alert kind in one language. Pure. */
import type { AlertFacts, AlertKind } from '../alert-text';

export type Text = { what: string; todo: string };
export type Templates = { [K in AlertKind]: (f: Extract<AlertFacts, { kind: K }>) => Text };

export const lines = (f: { lines: { offerId: string; missing: number }[] }) =>
  f.lines.map((l) => `${l.offerId} ×${l.missing}`).join(', ');
