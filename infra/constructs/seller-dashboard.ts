/**
 * The seller's and ops' CloudWatch dashboard: what came in, what Ozon's rating counts against the shop (late
 * confirmations and carriages, cancellations for stock, stalled parcels, buyers waiting), after the sale (returns,
 * reopened payouts), Ozon's side (calls and refusals by method), and executions that failed — from the metrics the
 * functions emit (Powertools, namespace OzonAutopilot: every alert is `AlertsSent` by kind and severity).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type AlertKind, SEVERITY } from '../../functions/shared/alert-text';

const NAMESPACE = 'OzonAutopilot';
const SERVICE = 'ozon-autopilot';
const DAY = Duration.days(1);

/** One alert kind's daily count (its dimensions as emitted: service, kind, severity). */
const alerts = (kind: AlertKind, label: string) =>
  new cloudwatch.Metric({
    namespace: NAMESPACE,
    metricName: 'AlertsSent',
    dimensionsMap: { service: SERVICE, kind, severity: SEVERITY[kind] },
    statistic: 'Sum',
    period: DAY,
    label,
  });
const count = (metricName: string, label: string, dimensionsMap: Record<string, string> = {}) =>
  new cloudwatch.Metric({
    namespace: NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE, ...dimensionsMap },
    statistic: 'Sum',
    period: DAY,
    label,
  });
/** Every method's series of a metric emitted per Ozon method. */
const byMethod = (metricName: string, label: string) =>
  new cloudwatch.MathExpression({
    expression: `SEARCH('{${NAMESPACE},method,service} MetricName="${metricName}"', 'Sum', 3600)`,
    label,
    period: Duration.hours(1),
  });

export class SellerDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, machines: sfn.StateMachine[]) {
    super(scope, id);
    const graph = (title: string, left: cloudwatch.IMetric[]) =>
      new cloudwatch.GraphWidget({ title, left, width: 12, height: 6, view: cloudwatch.GraphWidgetView.TIME_SERIES });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: 'ozon-autopilot',
      defaultInterval: Duration.days(14),
      widgets: [
        [
          graph('Postings received (per day)', [
            count('ExecutionsStarted', 'by push', { source: 'push' }),
            count('ExecutionsStarted', 'by the catch-up poll', { source: 'poller' }),
          ]),
          graph("What Ozon's rating counts against the shop (per day)", [
            alerts('confirmation_deadline_missed', 'confirmation deadline missed'),
            alerts('handover_missed', 'carriage missed'),
            alerts('stock_cancelled', 'cancelled for stock'),
            alerts('partial_cancel', 'lines cancelled for stock'),
            alerts('delivery_stalled', 'stalled in transit'),
            alerts('buyer_reply_due', 'buyer waiting for a reply'),
          ]),
        ],
        [
          graph('After the sale (per day)', [
            count('ReturnsStarted', 'returns followed'),
            alerts('return_request', 'return requests for you'),
            alerts('payout_reversed', 'payouts reopened by refunds'),
            alerts('cancellation_request', 'cancellation requests for you'),
          ]),
          graph('Money and standing (per day)', [
            alerts('payout_mismatch', 'payout gaps'),
            alerts('payout_missing', 'payouts missing'),
            alerts('rating_warning', 'rating indicators worse'),
            count('BuyerMessagesSent', 'stall messages to buyers', { moment: 'stalled' }),
          ]),
        ],
        [
          graph('Quality before shipping (per day)', [
            alerts('quality_check', 'checks asked of the warehouse'),
            alerts('quality_failed', 'units failed and written off'),
          ]),
          new cloudwatch.GraphWidget({
            title: 'Settlement lag: hours from delivery to payout (daily average)',
            left: [
              new cloudwatch.Metric({
                namespace: NAMESPACE,
                metricName: 'SettlementLagHours',
                dimensionsMap: { service: SERVICE },
                statistic: 'Average',
                period: DAY,
                label: 'hours',
              }),
            ],
            width: 12,
            height: 6,
          }),
        ],
        [
          graph('Ozon calls by method (hourly)', [byMethod('OzonCalls', 'calls')]),
          graph('Ozon refusals and rate limits (hourly)', [
            byMethod('OzonRateLimited', 'rate-limited'),
            byMethod('OzonUnanswered', 'unanswered'),
          ]),
        ],
        [
          graph(
            'Executions failed (should stay 0)',
            machines.map((m) => m.metricFailed({ period: Duration.hours(1), statistic: 'Sum' })),
          ),
        ],
      ],
    });
  }
}
