/** Publishes alerts to the seller's SNS topic and records each on the order; repeats within the window are dropped. */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { recordIncident } from '#performance/incidents';
import { INCIDENT_OF_ALERT } from '#performance/rules';
import { type AlertFacts, buildAccountAlert, buildAlert, isRepeat, repeatCutoff } from './alert-text';
import { now, nowIso } from './clock';
import { env } from './config';
import { db, keys } from './db';
import { claimAlert, releaseAlertClaim } from './event-store';
import type { Order } from './order';
import { emitMetric, logger } from './powertools';

/** The alert's text about one posting, in the seller's language, linked to the execution that raised it. */
function alertAbout(facts: AlertFacts, postingNumber: string, executionArn: string | undefined) {
  const cfg = env('alerts');
  return buildAlert(facts, { postingNumber, language: cfg.SELLER_LANGUAGE, executionArn, region: cfg.CONSOLE_REGION });
}

export async function sendAlert(
  order: Order,
  facts: AlertFacts,
  options: { occurrence?: string } = {},
): Promise<boolean> {
  const t = now();
  // `occurrence`: one alert per occurrence of something that can happen again (the second failed quality check of a
  // posting is news, not a repeat), claimed under its own name, once.
  const claimKind = options.occurrence ? `${facts.kind}#${options.occurrence}` : facts.kind;
  // The order in hand may be stale; the atomic claim below is the real repeat check, this only saves a write.
  if (!options.occurrence && isRepeat(order.alerts, facts.kind, t)) return false;
  const alert = alertAbout(facts, order.postingNumber, order.executionArn);
  const cutoff = options.occurrence ? null : repeatCutoff(facts.kind, t);
  const claimed = await claimAlert(
    order.postingNumber,
    { kind: alert.kind, severity: alert.severity, at: nowIso() },
    cutoff === null ? null : new Date(cutoff).toISOString(),
    claimKind,
  );
  if (!claimed) return false;
  try {
    // What Ozon's rating counts against the seller is kept by day (the rating watch names these postings): before
    // the publish, so a retry after a failed publish finds it kept (the put is by key: once).
    const incident = INCIDENT_OF_ALERT[alert.kind];
    if (incident) {
      await recordIncident(
        incident,
        order.postingNumber,
        order.lines.map((l) => l.offerId),
      );
    }
    await publish(alert, { postingNumber: order.postingNumber });
  } catch (e) {
    await releaseAlertClaim(order.postingNumber, claimKind);
    throw e;
  }
  return true;
}

/**
 * An alert about one return (aftersale/): claimed once per return and `occurrence` (the kind unless given) on the
 * return's own item, so a retried step never sends it twice and two returns of one posting never silence each
 * other. Links go to the posting and the return's execution.
 */
export async function sendReturnAlert(
  ret: { returnId: number; postingNumber: string; executionArn?: string },
  facts: AlertFacts,
  occurrence: string = facts.kind,
): Promise<boolean> {
  const alert = alertAbout(facts, ret.postingNumber, ret.executionArn);
  const claim = { '#c': `alert#${occurrence}` };
  try {
    await db().send(
      new UpdateCommand({
        TableName: env('table').TABLE_NAME,
        Key: keys.return(ret.returnId),
        UpdateExpression: 'SET #c = :at',
        ConditionExpression: 'attribute_not_exists(#c)',
        ExpressionAttributeNames: claim,
        ExpressionAttributeValues: { ':at': nowIso() },
      }),
    );
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') return false;
    throw e;
  }
  try {
    await publish(alert, { postingNumber: ret.postingNumber, returnId: String(ret.returnId) });
  } catch (e) {
    await db()
      .send(
        new UpdateCommand({
          TableName: env('table').TABLE_NAME,
          Key: keys.return(ret.returnId),
          UpdateExpression: 'REMOVE #c',
          ExpressionAttributeNames: claim,
        }),
      )
      .catch((release: Error) => logger.warn('Return alert claim not given back', { error: release }));
    throw e;
  }
  return true;
}

/** An account-level alert (a broken key, say) is repeated at most hourly however many functions run into it. */
export const ACCOUNT_ALERT_WINDOW_MS = 3600 * 1000;

/**
 * Publishes an alert that concerns the Ozon account, not one posting. The repeat check is a conditional put on one
 * item per kind, so concurrent pollers and processors that hit the same broken key send it once. `once` names one
 * occurrence instead (a label batch): sent once for it, whatever else of the kind was sent; its claim expires.
 */
/** How long the claim of a one-occurrence account alert is kept: past any redelivery of what raised it. */
const ONCE_CLAIM_TTL_S = 14 * 24 * 3600;

export async function sendAccountAlert(facts: AlertFacts, options: { once?: string } = {}): Promise<boolean> {
  const cfg = env('alerts');
  const item = keys.accountAlert(options.once ? `${facts.kind}#${options.once}` : facts.kind);
  const sentAt = now();
  try {
    await db().send(
      new PutCommand({
        TableName: env('table').TABLE_NAME,
        Item: {
          ...item,
          kind: facts.kind,
          sentAt,
          at: nowIso(),
          ...(options.once ? { expiresAt: Math.floor(sentAt / 1000) + ONCE_CLAIM_TTL_S } : {}),
        },
        // One occurrence is sent once (its claim expires long after any redelivery); a kind, at most hourly.
        ConditionExpression: options.once ? 'attribute_not_exists(pk)' : 'attribute_not_exists(pk) OR sentAt < :cutoff',
        ExpressionAttributeValues: options.once ? undefined : { ':cutoff': now() - ACCOUNT_ALERT_WINDOW_MS },
      }),
    );
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') return false;
    throw e;
  }
  const alert = buildAccountAlert(facts, cfg.SELLER_LANGUAGE);
  try {
    await publish(alert);
  } catch (e) {
    // Not sent: give the claim back (only ours) so the next attempt sends it instead of staying silent for an hour.
    await db()
      .send(
        new UpdateCommand({
          TableName: env('table').TABLE_NAME,
          Key: item,
          UpdateExpression: 'SET sentAt = :zero',
          ConditionExpression: 'sentAt = :mine',
          ExpressionAttributeValues: { ':zero': 0, ':mine': sentAt },
        }),
      )
      .catch((release: Error) => logger.warn('Account alert claim not given back', { error: release }));
    throw e;
  }
  return true;
}

/** One SNS message per alert; `severity`, `kind` (and the posting) as attributes so subscriptions can filter. */
async function publish(
  alert: { subject: string; message: string; severity: string; kind: string },
  extra: Record<string, string> = {},
): Promise<void> {
  emitMetric('AlertsSent', 1, { kind: alert.kind, severity: alert.severity });
  const attributes = { severity: alert.severity, kind: alert.kind, ...extra };
  // Most invocations of the many steps that may alert never do: the SNS client (~10 ms of module init) is loaded at
  // the first alert instead of at every cold start.
  const { publishMessage } = await import('./aws/sns');
  await publishMessage({
    TopicArn: env('alerts').ALERTS_TOPIC_ARN,
    Subject: alert.subject,
    Message: alert.message,
    MessageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
    ),
  });
}
