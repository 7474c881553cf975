import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_METADATA } from '../../infra/constructs/autopilot-function';
import { entryOf, FOLDERS, functionLogicalId, type Json, must, synth } from './synth';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

let template: Template;
let resources: Record<string, Json>;
let outdir: string;

beforeAll(() => {
  let app: { outdir: string };
  ({ app, template, resources } = synth({ cfnValidation: true }));
  outdir = app.outdir;
}, 60_000);

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const first = (type: string) => must(ofType(type)[0], type);

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
  it('orders table: on-demand, pk/sk, byPhase GSI, PITR, TTL on expiresAt, retained', () => {
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
            IndexName: 'byPhase',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          }),
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    });
    const table = first('AWS::DynamoDB::Table')[1];
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

  it('Ozon secret generates webhookToken next to placeholder clientId/apiKey', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    const secret = first('AWS::SecretsManager::Secret')[1];
    const gen = secret.Properties.GenerateSecretString;
    expect(gen.GenerateStringKey).toBe('webhookToken');
    expect(gen.ExcludePunctuation).toBe(true);
    expect(gen.PasswordLength).toBeGreaterThanOrEqual(32);
    expect(JSON.parse(gen.SecretStringTemplate)).toEqual({ clientId: 'SET-ME', apiKey: 'SET-ME' });
    // The generated secret is never put in the template in clear.
    expect(secret.Properties.SecretString).toBeUndefined();
  });
});

describe('functions', () => {
  it('there is exactly one per folder, each with an existing handler.ts', () => {
    template.resourceCountIs('AWS::Lambda::Function', FOLDERS.length);
    const entries = ofType('AWS::Lambda::Function').map(([, r]) => r.Metadata?.[ENTRY_METADATA]);
    expect(entries.sort()).toEqual(FOLDERS.map(entryOf).sort());
    for (const e of entries) expect(existsSync(path.join(ROOT, e)), e).toBe(true);
  });

  it('every function: Node.js 22 on arm64, X-Ray active, its own log group with retention', () => {
    const fns = ofType('AWS::Lambda::Function');
    expect(fns).toHaveLength(FOLDERS.length);
    const logGroups = new Set<string>();
    for (const [id, fn] of fns) {
      const p = fn.Properties;
      expect(p.Runtime, id).toBe('nodejs22.x');
      expect(p.Architectures, id).toEqual(['arm64']);
      expect(p.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(p.Handler, id).toBe('index.handler');
      const lgId = must<string>(p.LoggingConfig?.LogGroup?.Ref, `${id} LoggingConfig.LogGroup`);
      const lg = resources[lgId];
      expect(lg?.Type, id).toBe('AWS::Logs::LogGroup');
      expect(lg.Properties.RetentionInDays, id).toBe(30);
      logGroups.add(lgId);
    }
    expect(logGroups.size).toBe(FOLDERS.length);
    // One log group per function + the state machine's: no stray never-expiring groups.
    const allGroups = ofType('AWS::Logs::LogGroup');
    expect(allGroups).toHaveLength(FOLDERS.length + 1);
    for (const [id, lg] of allGroups) expect(lg.Properties.RetentionInDays, id).toBeGreaterThan(0);
  });
});

describe('workflow and endpoints', () => {
  it('state machine is STANDARD, named OrderLifecycle, traced, logging to a log group', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'OrderLifecycle',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      // ALL without execution data: every state's entry and exit for ops, no posting contents in the logs.
      LoggingConfiguration: Match.objectLike({
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } } }],
      }),
    });
  });

  it('function URLs with AuthType NONE exist for the webhook and the carrier API, and for nothing else', () => {
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

  it('an alarm on failed executions notifies the alerts topic', () => {
    const sm = first('AWS::StepFunctions::StateMachine')[0];
    const topic = first('AWS::SNS::Topic')[0];
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
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

  it('the webhook queues pushes for the push processor; failures end in a dead-letter queue with an alarm', () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues).toHaveLength(2);
    const [queueId, queue] = must(
      queues.find(([, q]) => q.Properties.RedrivePolicy),
      'queue with a redrive policy',
    );
    const dlqId = queue.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0];
    expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(5);
    expect(resources[dlqId].Type).toBe('AWS::SQS::Queue');
    for (const [id, q] of queues) expect(q.Properties.SqsManagedSseEnabled, id).toBe(true);
    // Redelivery must not start while the processor (30 s timeout) may still be working on the message.
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * 30);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: functionLogicalId(resources, 'intake/push-processor') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const webhookEnv = resources[functionLogicalId(resources, 'intake/webhook')].Properties.Environment.Variables;
    expect(webhookEnv.PUSH_QUEUE_URL).toEqual({ Ref: queueId });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 1,
      AlarmActions: [{ Ref: first('AWS::SNS::Topic')[0] }],
    });
  });

  it('outputs WebhookUrl, SellerApiUrl and OzonSecretArn', () => {
    const outputs = template.toJSON().Outputs as Record<string, Json>;
    const urlOf = (folder: string) =>
      must(
        ofType('AWS::Lambda::Url').find(
          ([, u]) => u.Properties.TargetFunctionArn['Fn::GetAtt'][0] === functionLogicalId(resources, folder),
        ),
        `${folder} URL`,
      )[0];
    expect(outputs.WebhookUrl?.Value).toEqual({ 'Fn::GetAtt': [urlOf('intake/webhook'), 'FunctionUrl'] });
    expect(outputs.SellerApiUrl?.Value).toEqual({ 'Fn::GetAtt': [urlOf('intake/seller-api'), 'FunctionUrl'] });
    expect(outputs.OzonSecretArn?.Value).toEqual({ Ref: first('AWS::SecretsManager::Secret')[0] });
  });
});
