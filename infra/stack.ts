/**
 * The whole product as one stack: table, alerts topic, labels bucket, the Ozon secret, one function per step,
 * the OrderLifecycle state machine, the webhook and seller API endpoints and the poller's schedule.
 */
import { Arn, ArnFormat, CfnOutput, Duration, RemovalPolicy, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
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
import type { SectionConfig } from '#shared/config';
import { PHASE_INDEX, SWEEP_PROJECTION } from '#shared/sweep-index';
import { type HandoverFunctions, handoverDefinition } from '../workflows/handover';
import { type LifecycleFunctions, orderLifecycleDefinition } from '../workflows/order-lifecycle';
import { type ReturnFunctions, returnDefinition } from '../workflows/return-lifecycle';
import { AutopilotFunction } from './constructs/autopilot-function';
import { PushToken } from './constructs/push-token';
import { SellerDashboard } from './constructs/seller-dashboard';
import { acknowledgeNagFindings } from './nag';

export const STATE_MACHINE_NAME = 'OrderLifecycle';
/** One execution per FBS carriage: its act, documents and the seller's handover alert (workflows/handover.ts). */
export const HANDOVER_MACHINE_NAME = 'Handover';
/** One execution per return (rFBS request or FBS return): workflows/return-lifecycle.ts. */
export const RETURN_MACHINE_NAME = 'ReturnLifecycle';

export interface OzonAutopilotProps extends StackProps {
  sellerLanguage?: 'en' | 'ru' | 'zh';
  /** Exception-path knobs (README "Exception paths"), e.g. `{ PARTIAL_CANCEL: 'true' }`, set on every step. */
  settings?: Partial<Record<keyof SectionConfig<'policy'>, string>>;
  pollInterval?: Duration;
}

export class OzonAutopilotStack extends Stack {
  readonly table: dynamodb.Table;
  readonly alerts: sns.Topic;
  readonly stateMachine: sfn.StateMachine;
  readonly handover: sfn.StateMachine;
  readonly returns: sfn.StateMachine;

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
      indexName: PHASE_INDEX,
      partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
      // The keys and the two payout figures: an order update that keeps the posting in its sweep and changes neither
      // writes nothing to the index, and the payout sweep judges every posting from the index alone
      // (functions/shared/order-store.ts SWEEP_GROUP, SWEEP_PROJECTION).
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: [...SWEEP_PROJECTION],
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

    // The seller fills clientId and apiKey after deploy. The push token and the seller API's key are generated, each
    // in its own secret: whoever can push cannot call the seller API, and the webhook reads no secret at all.
    const ozonSecret = new secretsmanager.Secret(this, 'OzonCredentials', {
      description: 'Ozon Seller API credentials: {"clientId","apiKey"}',
      secretObjectValue: {
        clientId: SecretValue.unsafePlainText('SET-ME'),
        apiKey: SecretValue.unsafePlainText('SET-ME'),
      },
    });
    const pushToken = new PushToken(this, 'PushToken', {
      generation: this.node.tryGetContext('pushTokenGeneration') as string | undefined,
    });
    const sellerApiSecret = new secretsmanager.Secret(this, 'SellerApiKey', {
      description: 'Key of the seller API: {"apiKey"}, sent as Authorization: Bearer <apiKey>',
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'apiKey',
        excludePunctuation: true,
        passwordLength: 48,
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
    const language = props.sellerLanguage ?? 'en';

    const queue = (id: string, props: sqs.QueueProps) =>
      new sqs.Queue(this, id, { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED, ...props });
    // PackAndLabel queues a posting for its warehouse's next label batch; the batcher answers each task token.
    const labelDlq = queue('LabelDeadLetters', { retentionPeriod: Duration.days(14) });
    const labelQueue = queue('LabelQueue', {
      visibilityTimeout: Duration.seconds(6 * 60),
      deadLetterQueue: { queue: labelDlq, maxReceiveCount: 5 },
    });

    // A workflow step: the table, the seller's policy, and what else it uses, each binding a grant with its variable.
    type Uses = 'ozon' | 'alerts' | 'resumeWaits' | 'startExecutions' | 'labels' | 'labelQueue';
    const step = (id: string, entry: string, description: string, uses: Uses[]) => {
      const fn = new AutopilotFunction(this, id, { entry, description }).bindTable(this.table).bindPolicy(settings);
      if (uses.includes('ozon')) fn.bindOzon(ozonSecret);
      if (uses.includes('alerts')) fn.bindAlerts(this.alerts, language);
      if (uses.includes('labels')) fn.bindLabels(labels);
      if (uses.includes('labelQueue')) {
        fn.setVar('labelQueue', 'LABEL_QUEUE_URL', labelQueue.queueUrl);
        labelQueue.grantSendMessages(fn);
      }
      // By ARN, not by reference: the state machine refers to these functions, so a reference back would be a cycle.
      if (uses.includes('resumeWaits')) fn.bindWorkflow(stateMachineArn, ['SendTaskOutcome']);
      if (uses.includes('startExecutions')) fn.bindWorkflow(stateMachineArn, ['StartExecution']);
      return fn;
    };
    const settings = props.settings ?? {};

    // The workflow's steps: name in the workflow, handler file (named like its state), what it does, what it uses.
    const STEPS: [keyof LifecycleFunctions, string, string, Uses[]][] = [
      [
        'receivePosting',
        'fulfilment/receive-posting',
        'Read the posting; join where Ozon says',
        ['ozon', 'alerts', 'resumeWaits'],
      ],
      // Ozon only to tell the buyer of a shortage (the chat).
      ['reserveStock', 'stock/reserve-stock', "Reserve every line from the seller's stock", ['ozon', 'alerts']],
      ['confirmPosting', 'fulfilment/confirm-posting', 'Ask Ozon to assemble (v4 ship)', ['ozon', 'alerts']],
      ['prepareAssembly', 'fulfilment/prepare-assembly', 'Marking codes and box count to Ozon', ['ozon', 'alerts']],
      [
        'shipInPackages',
        'fulfilment/ship-in-packages',
        'Ship in several packages (a split)',
        ['ozon', 'alerts', 'startExecutions'],
      ],
      [
        'awaitEvent',
        'waits/await-event',
        'Store a wait token; resolve it if the event came',
        ['alerts', 'resumeWaits'],
      ],
      [
        'packAndLabel',
        'fulfilment/pack-and-label',
        "Join the warehouse's next label batch",
        ['labelQueue', 'resumeWaits'],
      ],
      [
        'registerShipment',
        'fulfilment/register-shipment',
        'Ready for handover; rFBS carrier',
        ['ozon', 'alerts', 'resumeWaits'],
      ],
      ['setTrackingNumber', 'delivery/set-tracking-number', 'rFBS tracking number, delivering', ['ozon']],
      ['checkTracking', 'delivery/check-tracking', 'Look at a stalled parcel once', ['ozon', 'alerts', 'resumeWaits']],
      ['settlePayout', 'settlement/settle-payout', 'Compare accruals with the expected payout', ['ozon', 'alerts']],
      [
        'releaseStock',
        'stock/release-stock',
        'Confirm a cancellation; give stock back',
        ['ozon', 'alerts', 'resumeWaits'],
      ],
      [
        'cancelPosting',
        'stock/cancel-posting',
        'Cancel as out of stock, if Ozon allows',
        ['ozon', 'alerts', 'resumeWaits'],
      ],
      ['decideShortStock', 'stock/decide-short-stock', 'Wait, retry or cancel on short stock', []],
      [
        'cancelShortLines',
        'stock/cancel-short-lines',
        'Cancel only the missing lines',
        ['ozon', 'alerts', 'resumeWaits'],
      ],
      ['remindPacking', 'fulfilment/remind-packing', 'Remind the warehouse to confirm packing', ['alerts']],
      [
        'qualityCheckFailed',
        'quality/quality-check-failed',
        'Write off a unit that failed the quality check',
        ['alerts'],
      ],
      ['remindQualityCheck', 'quality/remind-quality-check', 'Remind the warehouse of a quality check', ['alerts']],
      ['trackingOverdue', 'delivery/tracking-overdue', 'Alert on a late rFBS tracking number', ['alerts']],
      ['alertDispute', 'delivery/alert-dispute', 'Alert on a dispute about the parcel', ['alerts']],
      ['alertNotAccepted', 'delivery/alert-not-accepted', 'Alert on a refused parcel', ['alerts']],
      [
        'decideCancellation',
        'aftersale/decide-cancellation-request',
        "Answer a buyer's cancellation request before Ozon's deadline",
        ['ozon', 'alerts', 'resumeWaits'],
      ],
    ];
    // The construct id is the function's name in the workflow, capitalised, with Fn: ReceivePostingFn.
    const idOf = (name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}Fn`;
    const functionsOf = <F>(table: [keyof F, string, string, Uses[]][]) =>
      Object.fromEntries(
        table.map(([name, entry, description, uses]) => [name, step(idOf(String(name)), entry, description, uses)]),
      ) as unknown as F;
    // A Standard state machine with its own log group: every state's entry and exit, without inputs and outputs
    // (they carry posting numbers and nothing else worth the ingestion cost) — ops follow an execution in Logs
    // Insights, and nothing personal is logged.
    const machine = (id: string, definition: sfn.IChainable, timeout: Duration) =>
      new sfn.StateMachine(this, id, {
        stateMachineName: id,
        stateMachineType: sfn.StateMachineType.STANDARD,
        definitionBody: sfn.DefinitionBody.fromChainable(definition),
        timeout,
        tracingEnabled: true,
        logs: {
          destination: new logs.LogGroup(this, `${id}Logs`, {
            retention: logs.RetentionDays.ONE_MONTH,
            removalPolicy: RemovalPolicy.DESTROY,
          }),
          level: sfn.LogLevel.ALL,
          includeExecutionData: false,
        },
      });
    this.stateMachine = machine(
      STATE_MACHINE_NAME,
      orderLifecycleDefinition(this, functionsOf<LifecycleFunctions>(STEPS)),
      Duration.days(120),
    );

    // Ozon suspends a push URL that is slow or errs, so the webhook only validates and enqueues; the processor does
    // the work, SQS redelivers failures and parks a push that failed five times in the dead-letter queue.
    const pushDlq = queue('PushDeadLetters', { retentionPeriod: Duration.days(14) });
    const pushQueue = queue('PushQueue', {
      // Six times the processor's timeout, as AWS recommends for Lambda event sources.
      visibilityTimeout: Duration.seconds(6 * 60),
      deadLetterQueue: { queue: pushDlq, maxReceiveCount: 5 },
    });
    // The public push endpoint: the queue and the push token's hash, nothing else.
    const webhook = new AutopilotFunction(this, 'WebhookFn', {
      entry: 'intake/webhook',
      description: "Ozon's push notifications: validate, enqueue, acknowledge",
      timeout: Duration.seconds(10),
    })
      .setVar('pushes', 'PUSH_QUEUE_URL', pushQueue.queueUrl)
      .setVar('pushes', 'PUSH_TOKEN_SHA256', pushToken.sha256);
    pushQueue.grantSendMessages(webhook);
    const webhookUrl = webhook.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });

    const intake: Uses[] = ['ozon', 'resumeWaits', 'startExecutions'];
    // Alerts too: a buyer's message is forwarded to the seller.
    const pushProcessor = step('PushProcessorFn', 'intake/push-processor', 'Apply queued Ozon pushes', [
      ...intake,
      'alerts',
    ]);
    pushProcessor.addEventSource(new SqsEventSource(pushQueue, { batchSize: 10, reportBatchItemFailures: true }));

    // The seller's systems call it with the seller API key (Authorization: Bearer), checked in constant time.
    const sellerApi = step('SellerApiFn', 'intake/seller-api', "The seller's API: stock, tracking, resume", intake)
      .bindWorkflow(stateMachineArn, ['DescribeExecution'])
      .setVar('sellerApi', 'SELLER_API_SECRET_ARN', sellerApiSecret.secretArn);
    sellerApiSecret.grantRead(sellerApi);
    const sellerApiUrl = sellerApi.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });

    // Up to 40 postings a batch, gathered for up to 10 s: packing lists and units off the shelf. No Ozon access.
    const labelBatcher = step('LabelBatchFn', 'fulfilment/label-batch', 'Packing lists in batches', [
      'labels',
      'resumeWaits',
      'alerts',
    ]);
    // Its own queue's URL: what fails is made visible again sooner than the visibility timeout, and a posting Ozon
    // has not reported assembled yet is queued again a minute later (label-batch.ts).
    labelBatcher.setVar('labelQueue', 'LABEL_QUEUE_URL', labelQueue.queueUrl);
    labelQueue.grantSendMessages(labelBatcher);
    labelBatcher.addEventSource(
      new SqsEventSource(labelQueue, {
        batchSize: 40,
        maxBatchingWindow: Duration.seconds(10),
        reportBatchItemFailures: true,
      }),
    );

    // The handover day: one Handover execution per carriage, started by the poller before the cutoff.
    const HANDOVER_STEPS: [keyof HandoverFunctions, string, string, Uses[]][] = [
      ['createAct', 'handover/create-act', "Confirm the carriage: Ozon's act", ['ozon']],
      ['checkAct', 'handover/check-act', "Wait for the act's documents", ['ozon']],
      ['printLabels', 'handover/print-labels', "Print the carriage's labels", ['ozon', 'labels']],
      ['fetchLabels', 'handover/fetch-labels', "Store the carriage's labels", ['ozon', 'labels']],
      [
        'handOverDocuments',
        'handover/hand-over-documents',
        'Store the act and barcode; tell the seller',
        ['ozon', 'labels', 'alerts'],
      ],
      ['alertHandoverProblem', 'handover/alert-handover-problem', 'The act is left to the seller', ['alerts']],
      [
        'checkHandover',
        'handover/check-handover',
        "After the cutoff: alert the carriage's parcels that did not leave",
        ['ozon', 'alerts'],
      ],
    ];
    this.handover = machine(
      HANDOVER_MACHINE_NAME,
      handoverDefinition(this, functionsOf<HandoverFunctions>(HANDOVER_STEPS)),
      Duration.days(3),
    );

    // After the sale: one ReturnLifecycle execution per return, started by the poller (Ozon pushes no returns).
    const RETURN_STEPS: [keyof ReturnFunctions, string, string, Uses[]][] = [
      ['decideReturn', 'aftersale/decide-return', "Answer a return request before Ozon's deadline", ['ozon', 'alerts']],
      [
        'followReturn',
        'aftersale/follow-return',
        'Follow the returned unit back; restock or write off',
        ['ozon', 'alerts'],
      ],
      ['settleReturn', 'aftersale/settle-return', "Reconcile the refund with the posting's payout", ['ozon', 'alerts']],
      ['leaveReturn', 'aftersale/leave-return', 'Tell the seller what is left of a return', ['alerts']],
    ];
    this.returns = machine(
      RETURN_MACHINE_NAME,
      returnDefinition(this, functionsOf<ReturnFunctions>(RETURN_STEPS)),
      Duration.days(60),
    );

    const poller = step('PollerFn', 'intake/poller', 'Catch-up poll: missed postings, status changes, payouts', [
      ...intake,
      'alerts',
    ]);
    poller.bindHandover(this.handover.stateMachineArn);
    poller.bindReturns(this.returns.stateMachineArn);
    new scheduler.Schedule(this, 'PollSchedule', {
      schedule: scheduler.ScheduleExpression.rate(props.pollInterval ?? Duration.minutes(10)),
      target: new targets.LambdaInvoke(poller, {}),
      description: 'ozon-autopilot catch-up poll',
    });

    // What came in, what Ozon's rating counts, after the sale, Ozon's side, failures: one dashboard for the seller.
    new SellerDashboard(this, 'SellerDashboard', [this.stateMachine, this.handover, this.returns]);

    const failed = this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' });
    new cloudwatch.Alarm(this, 'ExecutionsFailed', {
      metric: failed,
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription: 'An OrderLifecycle execution failed: open it in the console (its name is the posting number).',
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new cwActions.SnsAction(this.alerts));
    // Anything in a dead-letter queue is work that failed five times: the seller's topic hears of it.
    const deadLetterAlarm = (id: string, dlq: sqs.IQueue, alarmDescription: string) =>
      new cloudwatch.Alarm(this, id, {
        metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        alarmDescription,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(new cwActions.SnsAction(this.alerts));
    deadLetterAlarm(
      'PushesDeadLettered',
      pushDlq,
      'Ozon pushes failed five times and wait in the dead-letter queue; the poller still catches their postings up. Redrive them after fixing the cause.',
    );
    deadLetterAlarm(
      'LabelRequestsDeadLettered',
      labelDlq,
      'Label batches failed five times; their postings wait in PackAndLabel and retry when the state times out (30 min).',
    );

    new CfnOutput(this, 'WebhookUrl', {
      value: webhookUrl.url,
      description: 'Ozon push URL = this URL + the webhookToken from the PushToken secret',
    });
    new CfnOutput(this, 'PushTokenSecretArn', {
      value: pushToken.secret.secretArn,
      description: 'Holds webhookToken: the push URL for the Ozon cabinet is WebhookUrl + webhookToken',
    });
    new CfnOutput(this, 'SellerApiUrl', { value: sellerApiUrl.url });
    new CfnOutput(this, 'SellerApiKeySecretArn', {
      value: sellerApiSecret.secretArn,
      description: 'Holds apiKey: send it as Authorization: Bearer <apiKey> to the seller API',
    });
    new CfnOutput(this, 'OzonSecretArn', { value: ozonSecret.secretArn });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.alerts.topicArn });

    acknowledgeNagFindings(this);
  }
}
