/**
 * The whole product as one stack: table, alerts topic, labels bucket, the Ozon secret, one function per step,
 * the OrderLifecycle state machine, the webhook and seller API endpoints and the poller's schedule.
 */
import { Arn, ArnFormat, Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { type LifecycleFunctions, orderLifecycleDefinition } from '../workflows/order-lifecycle';
import { AutopilotFunction } from './constructs/autopilot-function';
import { acknowledgeNagFindings } from './nag';

export const STATE_MACHINE_NAME = 'OrderLifecycle';

export interface OzonAutopilotProps extends StackProps {
  sellerLanguage?: 'en' | 'ru' | 'zh';
  /** Exception-path knobs (README "Exception paths"), e.g. `{ PARTIAL_CANCEL: 'true' }`, set on every function. */
  settings?: Record<string, string>;
  pollInterval?: Duration;
}

export class OzonAutopilotStack extends Stack {
  readonly table: dynamodb.Table;
  readonly alerts: sns.Topic;
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: OzonAutopilotProps = {}) {
    super(scope, id, props);

    this.table = new dynamodb.Table(this, 'Orders', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: 'byPhase',
      partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
    });

    this.alerts = new sns.Topic(this, 'SellerAlerts', {
      displayName: 'ozon-autopilot seller alerts',
      enforceSSL: true,
    });

    const labels = new s3.Bucket(this, 'Labels', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The seller fills clientId and apiKey after deploy; the webhook token is generated here.
    const ozonSecret = new secretsmanager.Secret(this, 'OzonCredentials', {
      description: 'Ozon Seller API credentials: {"clientId","apiKey","webhookToken"}',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ clientId: 'SET-ME', apiKey: 'SET-ME' }),
        generateStringKey: 'webhookToken',
        excludePunctuation: true,
        passwordLength: 40,
      },
    });

    const stateMachineArn = Arn.format(
      {
        service: 'states',
        resource: 'stateMachine',
        resourceName: STATE_MACHINE_NAME,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      this,
    );
    const baseEnv = {
      TABLE_NAME: this.table.tableName,
      ALERTS_TOPIC_ARN: this.alerts.topicArn,
      SELLER_LANGUAGE: props.sellerLanguage ?? 'en',
      ...props.settings,
      CONSOLE_REGION: Aws.REGION,
    };

    // Each function gets exactly the grants it uses.
    type Need = 'ozon' | 'alerts' | 'resumeWaits' | 'startExecutions' | 'labels';
    const make = (id: string, entry: string, description: string, needs: Need[]) => {
      const env: Record<string, string> = { ...baseEnv };
      if (needs.includes('ozon')) env.OZON_SECRET_ARN = ozonSecret.secretArn;
      if (needs.includes('labels')) env.LABELS_BUCKET = labels.bucketName;
      if (needs.includes('startExecutions')) env.STATE_MACHINE_ARN = stateMachineArn;
      const fn = new AutopilotFunction(this, id, { entry, description, environment: env });
      this.table.grantReadWriteData(fn);
      if (needs.includes('ozon')) ozonSecret.grantRead(fn);
      if (needs.includes('alerts')) this.alerts.grantPublish(fn);
      if (needs.includes('labels')) {
        // PutObject alone: grantPut would add s3:Abort* and PutObjectLegalHold/Retention/Tagging, none of them used.
        fn.addToRolePolicy(
          new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [labels.arnForObjects('labels/*')] }),
        );
      }
      if (needs.includes('resumeWaits')) {
        // By ARN, not by reference: the state machine refers to these functions, so a reference back would be a cycle.
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
            resources: [stateMachineArn],
          }),
        );
      }
      if (needs.includes('startExecutions')) {
        fn.addToRolePolicy(
          new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }),
        );
      }
      return fn;
    };

    const fns: LifecycleFunctions = {
      receivePosting: make('ReceivePostingFn', 'fulfilment/receive-posting', 'Fetch the posting and create the order', [
        'ozon',
      ]),
      reserveStock: make('ReserveStockFn', 'stock/reserve-stock', "Reserve every line from the seller's stock", [
        'alerts',
      ]),
      confirmPosting: make('ConfirmPostingFn', 'fulfilment/confirm-posting', 'Ask Ozon to assemble (v4 ship)', [
        'ozon',
        'alerts',
      ]),
      awaitEvent: make(
        'AwaitEventFn',
        'waits/await-event',
        'Store a wait token and resolve it if the event already came',
        ['resumeWaits'],
      ),
      packAndLabel: make('PackAndLabelFn', 'fulfilment/pack-and-label', 'Packing list and label PDF', [
        'ozon',
        'labels',
      ]),
      registerShipment: make(
        'RegisterShipmentFn',
        'fulfilment/register-shipment',
        'Ready for handover; rFBS carrier request',
        ['alerts'],
      ),
      setTrackingNumber: make(
        'SetTrackingNumberFn',
        'delivery/set-tracking-number',
        'rFBS tracking number and delivering',
        ['ozon'],
      ),
      checkTracking: make('CheckTrackingFn', 'delivery/check-tracking', 'Look at a stalled parcel once', [
        'ozon',
        'alerts',
        'resumeWaits',
      ]),
      settlePayout: make('SettlePayoutFn', 'settlement/settle-payout', 'Compare accruals with the expected payout', [
        'ozon',
        'alerts',
      ]),
      releaseStock: make('ReleaseStockFn', 'stock/release-stock', 'Give reserved stock back on cancellation', [
        'ozon',
        'alerts',
      ]),
      cancelPosting: make('CancelPostingFn', 'stock/cancel-posting', 'Cancel on Ozon as out of stock', [
        'ozon',
        'alerts',
      ]),
      decideShortStock: make(
        'DecideShortStockFn',
        'stock/decide-short-stock',
        'Wait, retry or cancel on short stock',
        [],
      ),
      cancelShortLines: make('CancelShortLinesFn', 'stock/cancel-short-lines', 'Cancel only the missing lines', [
        'ozon',
        'alerts',
      ]),
      remindPacking: make('RemindPackingFn', 'fulfilment/remind-packing', 'Remind the warehouse to confirm packing', [
        'alerts',
      ]),
      trackingOverdue: make('TrackingOverdueFn', 'delivery/tracking-overdue', 'Alert on a late rFBS tracking number', [
        'alerts',
      ]),
      alertDispute: make('AlertDisputeFn', 'delivery/alert-dispute', 'Alert on a dispute about the parcel', ['alerts']),
      alertNotAccepted: make('AlertNotAcceptedFn', 'delivery/alert-not-accepted', 'Alert on a refused parcel', [
        'alerts',
      ]),
    };

    const machineLogs = new logs.LogGroup(this, 'OrderLifecycleLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'OrderLifecycle', {
      stateMachineName: STATE_MACHINE_NAME,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(orderLifecycleDefinition(this, fns)),
      timeout: Duration.days(120),
      tracingEnabled: true,
      // Every state's entry and exit, without inputs and outputs (they carry posting numbers and nothing else worth
      // the ingestion cost): ops can follow an execution in Logs Insights, and nothing personal is logged.
      logs: { destination: machineLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });

    // Ozon suspends a push URL that is slow or errs, so the webhook only validates and enqueues; the processor does
    // the work, SQS redelivers failures and parks a push that failed five times in the dead-letter queue.
    const pushDlq = new sqs.Queue(this, 'PushDeadLetters', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    const pushQueue = new sqs.Queue(this, 'PushQueue', {
      // Six times the processor's timeout, as AWS recommends for Lambda event sources.
      visibilityTimeout: Duration.seconds(180),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      deadLetterQueue: { queue: pushDlq, maxReceiveCount: 5 },
    });
    const webhook = make('WebhookFn', 'intake/webhook', "Ozon's push notifications: validate, enqueue, acknowledge", [
      'ozon',
    ]);
    webhook.addEnvironment('PUSH_QUEUE_URL', pushQueue.queueUrl);
    pushQueue.grantSendMessages(webhook);
    const webhookUrl = webhook.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    const pushProcessor = make('PushProcessorFn', 'intake/push-processor', 'Apply queued Ozon pushes to postings', [
      'resumeWaits',
      'startExecutions',
    ]);
    pushProcessor.addEventSource(new SqsEventSource(pushQueue, { batchSize: 10, reportBatchItemFailures: true }));
    const sellerApi = make('SellerApiFn', 'intake/seller-api', "The seller's API: stock, tracking, delivery, packing", [
      'ozon',
      'resumeWaits',
    ]);
    const sellerApiUrl = sellerApi.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    const poller = make('PollerFn', 'intake/poller', 'Catch-up poll: missed postings, status changes and payouts', [
      'ozon',
      'alerts',
      'resumeWaits',
      'startExecutions',
    ]);
    new scheduler.Schedule(this, 'PollSchedule', {
      schedule: scheduler.ScheduleExpression.rate(props.pollInterval ?? Duration.minutes(10)),
      target: new targets.LambdaInvoke(poller, {}),
      description: 'ozon-autopilot catch-up poll',
    });

    const failed = this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' });
    new cloudwatch.Alarm(this, 'ExecutionsFailed', {
      metric: failed,
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription: 'An OrderLifecycle execution failed: open it in the console (its name is the posting number).',
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new cwActions.SnsAction(this.alerts));
    new cloudwatch.Alarm(this, 'PushesDeadLettered', {
      metric: pushDlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription:
        'Ozon pushes failed five times and wait in the dead-letter queue; the poller still catches their postings up. Redrive them after fixing the cause.',
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new cwActions.SnsAction(this.alerts));

    new CfnOutput(this, 'WebhookUrl', {
      value: webhookUrl.url,
      description: 'Ozon push URL = this URL + the webhookToken from the OzonCredentials secret',
    });
    new CfnOutput(this, 'SellerApiUrl', { value: sellerApiUrl.url });
    new CfnOutput(this, 'OzonSecretArn', { value: ozonSecret.secretArn });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.alerts.topicArn });

    acknowledgeNagFindings(this);
  }
}
