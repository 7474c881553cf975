import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { PACKING_BATCH_MAX } from '#fulfilment/rules';
import { SECTIONS, type Section } from '#shared/config';
import type { OzonAutopilotStack } from '../../infra/stack';
import {
  type Capability,
  ENTRIES,
  type Entry,
  entryOf,
  FUNCTIONS,
  functionLogicalId,
  handlerEntriesOnDisk,
  type Json,
  logicalIdAt,
  must,
  productFunctions,
  ROOT,
  synth,
} from './synth';

let stack: OzonAutopilotStack;
let template: Template;
let resources: Record<string, Json>;
let outdir: string;

beforeAll(() => {
  let app: { outdir: string };
  ({ app, stack, template, resources } = synth({ cfnValidation: true }));
  outdir = app.outdir;
}, 60_000);

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const first = (type: string) => must(ofType(type)[0], type);
const envOf = (entry: Entry): Record<string, Json> =>
  resources[functionLogicalId(resources, entry)].Properties.Environment?.Variables ?? {};

/** The custom resource's own Lambdas: not product functions, and without entry metadata. */
const CUSTOM_RESOURCE_FUNCTIONS = ['PushToken/Hash', 'PushToken/Provider/framework-onEvent'];

/** The configuration section each capability's variables belong to (functions/shared/config.ts). */
const SECTION_OF: Partial<Record<Capability, Section>> = {
  table: 'table',
  policy: 'policy',
  ozon: 'ozon',
  alerts: 'alerts',
  labels: 'labels',
  startExecutions: 'workflow',
  startHandovers: 'handover',
  startReturns: 'returns',
  sellerApi: 'sellerApi',
  sendPushes: 'pushes',
  sendLabelRequests: 'labelQueue',
  receiveLabelRequests: 'labelQueue',
};
const sectionsOf = (entry: Entry): Section[] =>
  FUNCTIONS[entry].flatMap((c: Capability) => SECTION_OF[c] ?? []).sort() as Section[];
const shapeOf = (s: Section) => SECTIONS[s].shape as Record<string, z.ZodMiniType>;
/** Variables of a section that have neither a default nor `.optional()`: the function fails without them. */
const requiredOf = (s: Section) =>
  Object.entries(shapeOf(s))
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([name]) => name);
/** Set on every function by AutopilotFunction; nothing else outside the sections. */
const RUNTIME_VARS = /^(NODE_OPTIONS|POWERTOOLS_[A-Z_]+)$/;

describe('template', () => {
  it("passes CDK's built-in CloudFormation validation with no findings", () => {
    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    const violations = (report.pluginReports as Json[]).flatMap((r) =>
      (r.violations ?? []).map((v: Json) => `${r.pluginName}: ${v.ruleName} ${v.description}`),
    );
    expect(violations).toEqual([]);
  });
});

describe('data', () => {
  it('orders table: on-demand, pk/sk, sparse bySweep GSI with the payout figures, PITR, TTL on expiresAt, retained', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'bySweep',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            // The keys and the payout figures only: an update of anything else writes nothing to the index.
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['expectedPayout', 'accrued'] },
          }),
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    });
    const table = first('AWS::DynamoDB::Table')[1];
    // Exactly one index, and nothing projected into it besides the keys and the payout figures.
    expect(table.Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'bySweep',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['expectedPayout', 'accrued'] },
      },
    ]);
    // No provisioned throughput anywhere: on-demand means none is set.
    expect(JSON.stringify(table.Properties)).not.toContain('ProvisionedThroughput');
    expect(table.Properties.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ]),
    );
  });

  it('alerts topic exists and refuses non-TLS publishing', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { DisplayName: 'ozon-autopilot seller alerts' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('labels bucket blocks all public access, is encrypted, TLS-only, expires objects after 90 days', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, Status: 'Enabled' })] },
      }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('three secrets: Ozon credentials to fill in, a generated push token, a generated seller API key', () => {
    const ozon = logicalIdAt(stack, 'OzonCredentials');
    const pushToken = logicalIdAt(stack, 'PushToken/Secret');
    const sellerApiKey = logicalIdAt(stack, 'SellerApiKey');
    expect(
      ofType('AWS::SecretsManager::Secret')
        .map(([id]) => id)
        .sort(),
    ).toEqual([ozon, pushToken, sellerApiKey].sort());

    // The seller fills clientId and apiKey after deploy; nothing is generated into it.
    const ozonProps = resources[ozon].Properties;
    expect(ozonProps.GenerateSecretString).toBeUndefined();
    expect(JSON.parse(ozonProps.SecretString)).toEqual({ clientId: 'SET-ME', apiKey: 'SET-ME' });

    // Generated at deploy, never in the template in clear.
    const generated = (id: string, key: string, length: number) => {
      const p = resources[id].Properties;
      expect(p.SecretString, id).toBeUndefined();
      expect(p.GenerateSecretString, id).toEqual({
        SecretStringTemplate: '{}',
        GenerateStringKey: key,
        ExcludePunctuation: true,
        PasswordLength: length,
      });
    };
    generated(pushToken, 'webhookToken', 40);
    generated(sellerApiKey, 'apiKey', 48);
  });
});

describe('functions', () => {
  it('one product function per handler file, found by its entry metadata, each entry file existing', () => {
    const entries = productFunctions(resources).map(([, e]) => e);
    expect(new Set(entries).size, 'one function per entry').toBe(entries.length);
    // A handler added without its function, or a function whose handler is gone, fails here.
    expect([...entries].sort()).toEqual(handlerEntriesOnDisk());
    // ...and the expectations in synth.ts (FUNCTIONS) cover exactly the deployed functions.
    expect([...entries].sort()).toEqual(ENTRIES);
    // 17 workflow steps, the webhook, push processor, seller API, poller and label batcher.
    expect(entries).toHaveLength(38);
    for (const e of entries) expect(existsSync(path.join(ROOT, entryOf(e))), e).toBe(true);
  });

  it("the only other Lambda functions are the push token custom resource's hash and provider framework", () => {
    const products = new Set(productFunctions(resources).map(([id]) => id));
    const others = ofType('AWS::Lambda::Function')
      .map(([id]) => id)
      .filter((id) => !products.has(id));
    expect(others.sort()).toEqual(CUSTOM_RESOURCE_FUNCTIONS.map((p) => logicalIdAt(stack, p)).sort());
  });

  it('every product function: Node.js 22 on arm64, X-Ray active, own log group with retention, 60 s (webhook 10 s)', () => {
    const fns = productFunctions(resources);
    expect(fns).toHaveLength(ENTRIES.length);
    const logGroups = new Set<string>();
    for (const [id, entry] of fns) {
      const p = resources[id].Properties;
      expect(p.Runtime, entry).toBe('nodejs22.x');
      expect(p.Architectures, entry).toEqual(['arm64']);
      expect(p.TracingConfig, entry).toEqual({ Mode: 'Active' });
      expect(p.Handler, entry).toBe('index.handler');
      // Above the Ozon client's worst case; the webhook answers Ozon within its 5 s and talks to SQS only.
      expect(p.Timeout, entry).toBe(entry === 'intake/webhook' ? 10 : 60);
      const lgId = must<string>(p.LoggingConfig?.LogGroup?.Ref, `${entry} LoggingConfig.LogGroup`);
      const lg = resources[lgId];
      expect(lg?.Type, entry).toBe('AWS::Logs::LogGroup');
      expect(lg.Properties.RetentionInDays, entry).toBe(30);
      logGroups.add(lgId);
    }
    expect(logGroups.size).toBe(ENTRIES.length);
  });

  it('the push token hash Lambda: Node.js 22 on arm64, its own log group with retention', () => {
    const hash = resources[logicalIdAt(stack, 'PushToken/Hash')].Properties;
    expect(hash.Runtime).toBe('nodejs22.x');
    expect(hash.Architectures).toEqual(['arm64']);
    expect(resources[hash.LoggingConfig.LogGroup.Ref].Properties.RetentionInDays).toBe(30);
  });

  it('every log group belongs to a function or the state machine, and all have retention', () => {
    const allGroups = ofType('AWS::Logs::LogGroup').map(([id]) => id);
    const used = [
      ...ofType('AWS::Lambda::Function').flatMap(([, fn]) => fn.Properties.LoggingConfig?.LogGroup?.Ref ?? []),
      ...ofType('AWS::StepFunctions::StateMachine').flatMap(([, sm]) =>
        sm.Properties.LoggingConfiguration.Destinations.map(
          (d: Json) => d.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0],
        ),
      ),
    ];
    // One per product function, the hash Lambda and the state machine at least; no stray group.
    expect(allGroups.length).toBeGreaterThanOrEqual(ENTRIES.length + 2);
    expect([...new Set(used)].sort()).toEqual(allGroups.sort());
    for (const id of allGroups) expect(resources[id].Properties.RetentionInDays, id).toBeGreaterThan(0);
  });

  it("each product function's environment holds only the variables of the sections it binds, and their required ones", () => {
    const stray: string[] = [];
    const missing: string[] = [];
    for (const entry of ENTRIES) {
      const env = envOf(entry);
      const sections = sectionsOf(entry);
      const allowed = new Set(sections.flatMap((s) => Object.keys(shapeOf(s))));
      for (const name of Object.keys(env)) {
        if (!allowed.has(name) && !RUNTIME_VARS.test(name)) stray.push(`${entry}: ${name}`);
      }
      for (const name of sections.flatMap(requiredOf)) if (!(name in env)) missing.push(`${entry}: ${name}`);
      expect(env.POWERTOOLS_SERVICE_NAME, entry).toBe('ozon-autopilot');
    }
    expect(stray).toEqual([]);
    expect(missing).toEqual([]);
  });

  it('secrets reach functions as ARNs only, each where its section is bound; local-only credentials nowhere', () => {
    const ozonSecret = { Ref: logicalIdAt(stack, 'OzonCredentials') };
    const sellerSecret = { Ref: logicalIdAt(stack, 'SellerApiKey') };
    for (const entry of ENTRIES) {
      const env = envOf(entry);
      const caps: readonly Capability[] = FUNCTIONS[entry];
      expect(env.OZON_SECRET_ARN, entry).toEqual(caps.includes('ozon') ? ozonSecret : undefined);
      expect(env.SELLER_API_SECRET_ARN, entry).toEqual(caps.includes('sellerApi') ? sellerSecret : undefined);
      expect(env.STATE_MACHINE_ARN !== undefined, entry).toBe(caps.includes('startExecutions'));
      // Locally these carry the secrets themselves; deployed, a function reads its secret at run time.
      for (const local of ['OZON_CLIENT_ID', 'OZON_API_KEY', 'OZON_WEBHOOK_TOKEN', 'SELLER_API_KEY']) {
        expect(env[local], `${entry}: ${local}`).toBeUndefined();
      }
      expect(JSON.stringify(env), entry).not.toContain('{{resolve:secretsmanager');
    }
  });

  it("the seller's language and exception-path settings go to the functions whose sections read them", () => {
    const { resources: custom } = synth({ props: { sellerLanguage: 'ru', settings: { PARTIAL_CANCEL: 'true' } } });
    for (const entry of ENTRIES) {
      const env = custom[functionLogicalId(custom, entry)].Properties.Environment?.Variables ?? {};
      const sections = sectionsOf(entry);
      expect(env.PARTIAL_CANCEL, entry).toBe(sections.includes('policy') ? 'true' : undefined);
      expect(env.SELLER_LANGUAGE, entry).toBe(sections.includes('alerts') ? 'ru' : undefined);
    }
  });
});

describe('workflow and endpoints', () => {
  it.each(['OrderLifecycle', 'Handover', 'ReturnLifecycle'])(
    'state machine %s is STANDARD, traced, logging to a log group',
    (name) => {
      template.resourceCountIs('AWS::StepFunctions::StateMachine', 3);
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: name,
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        // ALL without execution data: every state's entry and exit for ops, no posting contents in the logs.
        LoggingConfiguration: Match.objectLike({
          Level: 'ALL',
          IncludeExecutionData: false,
          Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } } }],
        }),
      });
    },
  );

  it('function URLs with AuthType NONE exist for the webhook and the seller API, and for nothing else', () => {
    const urls = ofType('AWS::Lambda::Url');
    expect(urls).toHaveLength(2);
    const targets = urls.map(([, u]) => {
      expect(u.Properties.AuthType).toBe('NONE');
      return u.Properties.TargetFunctionArn['Fn::GetAtt'][0];
    });
    expect(targets.sort()).toEqual(
      [functionLogicalId(resources, 'intake/webhook'), functionLogicalId(resources, 'intake/seller-api')].sort(),
    );
  });

  it('an EventBridge Scheduler schedule invokes the poller every 10 minutes', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(10 minutes)',
      State: 'ENABLED',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [functionLogicalId(resources, 'intake/poller'), 'Arn'] } }),
    });
  });

  it("one dashboard of the seller's figures, from the metrics the functions emit, with every machine's failures", () => {
    const dashboards = ofType('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.[1].Properties.DashboardBody);
    // The alert metrics as emitted: AlertsSent with the service, the kind and the kind's severity (alerts.ts).
    for (const [kind, severity] of [
      ['confirmation_deadline_missed', 'critical'],
      ['stock_cancelled', 'warning'],
      ['payout_reversed', 'warning'],
      ['buyer_reply_due', 'critical'],
      ['rating_warning', 'critical'],
      ['quality_failed', 'warning'],
    ]) {
      const dims = `\\"kind\\",\\"${kind}\\",\\"service\\",\\"ozon-autopilot\\",\\"severity\\",\\"${severity}\\"`;
      expect(body, kind).toContain(dims);
    }
    for (const metric of [
      'ExecutionsStarted',
      'ReturnsStarted',
      'OzonCalls',
      'OzonRateLimited',
      'SettlementLagHours',
    ]) {
      expect(body, metric).toContain(metric);
    }
    for (const [id] of ofType('AWS::StepFunctions::StateMachine')) expect(body, id).toContain(`"Ref":"${id}"`);
  });

  it('three alarms, each notifying the alerts topic: failed executions and the two dead-letter queues', () => {
    const sm = first('AWS::StepFunctions::StateMachine')[0];
    const topic = first('AWS::SNS::Topic')[0];
    const alarms = ['ExecutionsFailed', 'PushesDeadLettered', 'LabelRequestsDeadLettered'].map((p) =>
      logicalIdAt(stack, p),
    );
    expect(
      ofType('AWS::CloudWatch::Alarm')
        .map(([id]) => id)
        .sort(),
    ).toEqual([...alarms].sort());
    for (const id of alarms) expect(resources[id].Properties.AlarmActions, id).toEqual([{ Ref: topic }]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: sm } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topic }],
    });
  });

  it('four queues, all SQS-encrypted: the push and label queues and their dead-letter queues', () => {
    const ids = ['PushQueue', 'PushDeadLetters', 'LabelQueue', 'LabelDeadLetters'].map((p) => logicalIdAt(stack, p));
    expect(
      ofType('AWS::SQS::Queue')
        .map(([id]) => id)
        .sort(),
    ).toEqual([...ids].sort());
    for (const id of ids) expect(resources[id].Properties.SqsManagedSseEnabled, id).toBe(true);
    // Two consumers, one per work queue; nothing reads a dead-letter queue.
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
  });

  /**
   * A work queue drained by `consumer`, its dead-letter queue after five receives, and an alarm on that one. Returns
   * the queue's logical id and its event source mapping's properties.
   */
  const workQueue = (queuePath: string, dlqPath: string, consumer: Entry) => {
    const queueId = logicalIdAt(stack, queuePath);
    const dlqId = logicalIdAt(stack, dlqPath);
    const queue = resources[queueId].Properties;
    expect(queue.RedrivePolicy, queuePath).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(resources[dlqId].Properties.RedrivePolicy, dlqPath).toBeUndefined();
    // Redelivery must not start while the consumer may still be working on the message: AWS recommends six times
    // the function timeout for a Lambda event source.
    const consumerId = functionLogicalId(resources, consumer);
    expect(queue.VisibilityTimeout, queuePath).toBeGreaterThanOrEqual(6 * resources[consumerId].Properties.Timeout);
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(
      ([, m]) => m.Properties.EventSourceArn?.['Fn::GetAtt']?.[0] === queueId,
    );
    expect(mappings, queuePath).toHaveLength(1);
    const mapping = must(mappings[0], `${queuePath} mapping`)[1].Properties;
    expect(mapping.FunctionName, queuePath).toEqual({ Ref: consumerId });
    expect(mapping.FunctionResponseTypes, queuePath).toEqual(['ReportBatchItemFailures']);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 1,
      AlarmActions: [{ Ref: first('AWS::SNS::Topic')[0] }],
    });
    return { queueId, mapping };
  };

  it('the webhook queues pushes for the push processor; failures end in a dead-letter queue with an alarm', () => {
    const { queueId, mapping } = workQueue('PushQueue', 'PushDeadLetters', 'intake/push-processor');
    expect(mapping.BatchSize).toBe(10);
    expect(mapping.MaximumBatchingWindowInSeconds).toBeUndefined();
    expect(envOf('intake/webhook').PUSH_QUEUE_URL).toEqual({ Ref: queueId });
  });

  it('PackAndLabel queues label requests for the label batcher (40 a batch, 10 s window), dead-lettered with an alarm', () => {
    const { queueId, mapping } = workQueue('LabelQueue', 'LabelDeadLetters', 'fulfilment/label-batch');
    // An entry point, not a state: construct id LabelBatchFn (the state machine never invokes it).
    expect(functionLogicalId(resources, 'fulfilment/label-batch')).toBe(logicalIdAt(stack, 'LabelBatchFn'));
    // Up to 40 postings (PACKING_BATCH_MAX: one transaction of the postings and their products); up to 10 s.
    expect(mapping.BatchSize).toBe(PACKING_BATCH_MAX);
    expect(PACKING_BATCH_MAX).toBe(40);
    expect(mapping.MaximumBatchingWindowInSeconds).toBe(10);
    expect(envOf('fulfilment/pack-and-label').LABEL_QUEUE_URL).toEqual({ Ref: queueId });
    // The batcher knows it too: it makes failed requests visible again sooner (ChangeMessageVisibility) and queues
    // again the postings Ozon has not reported assembled yet.
    expect(envOf('fulfilment/label-batch').LABEL_QUEUE_URL).toEqual({ Ref: queueId });
    for (const entry of ENTRIES.filter((e) => e !== 'fulfilment/pack-and-label' && e !== 'fulfilment/label-batch')) {
      expect(envOf(entry).LABEL_QUEUE_URL, entry).toBeUndefined();
    }
    // The delay before Ozon serves a label keeps its default (45 s) in AWS; only the local runtime sets it.
    expect(envOf('fulfilment/pack-and-label').LABEL_DELAY_SECONDS).toBeUndefined();
  });

  it("the webhook gets the push token's SHA-256 from a custom resource that hashes the PushToken secret", () => {
    const resource = logicalIdAt(stack, 'PushToken/Sha256');
    const hash = logicalIdAt(stack, 'PushToken/Hash');
    const framework = logicalIdAt(stack, 'PushToken/Provider/framework-onEvent');
    expect(ofType('AWS::CloudFormation::CustomResource').map(([id]) => id)).toEqual([resource]);
    expect(resources[resource].Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [framework, 'Arn'] },
      SecretId: { Ref: logicalIdAt(stack, 'PushToken/Secret') },
      // Raised with -c pushTokenGeneration=<n> after a rotation, so CloudFormation hashes the new token.
      Generation: '1',
    });
    expect(resources[framework].Properties.Environment.Variables.USER_ON_EVENT_FUNCTION_ARN).toEqual({
      'Fn::GetAtt': [hash, 'Arn'],
    });
    expect(envOf('intake/webhook').PUSH_TOKEN_SHA256).toEqual({ 'Fn::GetAtt': [resource, 'Sha256'] });
  });

  it('outputs the two URLs, the three secret ARNs and the alerts topic', () => {
    const outputs = template.toJSON().Outputs as Record<string, Json>;
    const urlOf = (entry: string) =>
      must(
        ofType('AWS::Lambda::Url').find(
          ([, u]) => u.Properties.TargetFunctionArn['Fn::GetAtt'][0] === functionLogicalId(resources, entry),
        ),
        `${entry} URL`,
      )[0];
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'WebhookUrl',
        'PushTokenSecretArn',
        'SellerApiUrl',
        'SellerApiKeySecretArn',
        'OzonSecretArn',
        'AlertsTopicArn',
      ].sort(),
    );
    expect(outputs.WebhookUrl.Value).toEqual({ 'Fn::GetAtt': [urlOf('intake/webhook'), 'FunctionUrl'] });
    expect(outputs.SellerApiUrl.Value).toEqual({ 'Fn::GetAtt': [urlOf('intake/seller-api'), 'FunctionUrl'] });
    expect(outputs.PushTokenSecretArn.Value).toEqual({ Ref: logicalIdAt(stack, 'PushToken/Secret') });
    expect(outputs.SellerApiKeySecretArn.Value).toEqual({ Ref: logicalIdAt(stack, 'SellerApiKey') });
    expect(outputs.OzonSecretArn.Value).toEqual({ Ref: logicalIdAt(stack, 'OzonCredentials') });
    expect(outputs.AlertsTopicArn.Value).toEqual({ Ref: first('AWS::SNS::Topic')[0] });
  });
});
