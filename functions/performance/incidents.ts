/**
 * Incidents: the postings the product saw miss a deadline, cancelled by the seller, or a buyer left waiting — one
 * small item per incident under its day (`INCIDENT#<day>`, sort key `<kind>#<posting>`: once each), kept 60 days.
 * The rating watch names them when Ozon's indicator they weigh on worsens; they are the seller's own figures too.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { now, nowIso } from '#shared/clock';
import { db, keys, queryAll } from '#shared/db';
import { table } from '#shared/order-store';
import { INCIDENT_KINDS, type IncidentKind, lastDays } from './rules';

const KEEP_DAYS = 60;

/** `offers`: the posting's offers, so the digest can say which products the incidents were about. */
export async function recordIncident(kind: IncidentKind, postingNumber: string, offers: string[] = []): Promise<void> {
  const at = nowIso();
  await db().send(
    new PutCommand({
      TableName: table(),
      Item: {
        ...keys.incident(at.slice(0, 10), `${kind}#${postingNumber}`),
        kind,
        postingNumber,
        ...(offers.length ? { offers: [...new Set(offers)].slice(0, 20) } : {}),
        at,
        expiresAt: Math.floor(now() / 1000) + KEEP_DAYS * 86_400,
      },
    }),
  );
}

/** The postings with incidents of these kinds over the last `days` days, most recent day first, each once. */
export async function incidentPostings(kinds: IncidentKind[], days: number): Promise<string[]> {
  const found = new Set<string>();
  for (const day of lastDays(now(), days)) {
    const items = await queryAll({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.incident(day, '').pk },
    });
    for (const item of items) if (kinds.includes(item.kind as IncidentKind)) found.add(String(item.postingNumber));
  }
  return [...found];
}

/**
 * How many incidents of each kind the last `days` days hold (each posting once per kind and day), in all and per
 * offer of the postings they were about.
 */
export async function incidentCounts(
  days: number,
): Promise<{ counts: Record<IncidentKind, number>; byOffer: Record<string, Partial<Record<IncidentKind, number>>> }> {
  const counts = Object.fromEntries(INCIDENT_KINDS.map((k) => [k, 0])) as Record<IncidentKind, number>;
  const byOffer: Record<string, Partial<Record<IncidentKind, number>>> = {};
  for (const day of lastDays(now(), days)) {
    const items = await queryAll({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.incident(day, '').pk },
      ProjectionExpression: 'kind, offers',
    });
    for (const item of items) {
      const kind = item.kind as IncidentKind;
      if (!(kind in counts)) continue;
      counts[kind]++;
      for (const offer of (item.offers as string[] | undefined) ?? []) {
        const of = byOffer[offer] ?? {};
        of[kind] = (of[kind] ?? 0) + 1;
        byOffer[offer] = of;
      }
    }
  }
  return { counts, byOffer };
}
