/** Publishes alerts to the seller's SNS topic and records each on the order; repeats within the window are dropped. */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { now, nowIso } from './clock';
import { config } from './config';
import { type AlertFacts, buildAlert, isRepeat } from './domain/alert';
import type { Order } from './domain/order';
import { updateOrder } from './store/orders';

let sns: SNSClient | undefined;

export async function sendAlert(order: Order, facts: AlertFacts): Promise<boolean> {
  if (isRepeat(order.alerts, facts.kind, now())) return false;
  const cfg = config();
  const alert = buildAlert(facts, {
    postingNumber: order.postingNumber,
    language: cfg.SELLER_LANGUAGE,
    executionArn: order.executionArn,
    region: cfg.CONSOLE_REGION,
  });
  sns ??= new SNSClient({});
  await sns.send(
    new PublishCommand({
      TopicArn: cfg.ALERTS_TOPIC_ARN,
      Subject: alert.subject,
      Message: alert.message,
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: alert.severity },
        kind: { DataType: 'String', StringValue: alert.kind },
        postingNumber: { DataType: 'String', StringValue: order.postingNumber },
      },
    }),
  );
  await updateOrder(order.postingNumber, {
    alerts: [...order.alerts, { kind: alert.kind, severity: alert.severity, at: nowIso() }],
  });
  return true;
}

export function resetAlerts(): void {
  sns = undefined;
}
