/**
 * Least privilege: each function's role grants exactly what its `make(...)` call in infra/stack.ts asks for.
 * The expected table below is written out by hand on purpose: adding a need in the stack must be mirrored here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { STATE_MACHINE_NAME } from '../../infra/stack';
import {
  ENV,
  FOLDERS,
  type Folder,
  functionLogicalId,
  grants,
  type Json,
  must,
  roleStatements,
  type Statement,
  statementsOf,
  synth,
} from './synth';

type Need = 'ozon' | 'alerts' | 'resumeWaits' | 'startExecutions' | 'labels' | 'sendPushes' | 'receivePushes';
const NEEDS: Record<Folder, Need[]> = {
  'fulfilment/receive-posting': ['ozon'],
  'stock/reserve-stock': ['alerts'],
  'fulfilment/confirm-posting': ['ozon', 'alerts'],
  'waits/await-event': ['resumeWaits'],
  'fulfilment/pack-and-label': ['ozon', 'labels'],
  'fulfilment/register-shipment': ['alerts'],
  'delivery/set-tracking-number': ['ozon'],
  'delivery/check-tracking': ['ozon', 'alerts', 'resumeWaits'],
  'settlement/settle-payout': ['ozon', 'alerts'],
  'stock/release-stock': ['ozon', 'alerts'],
  'stock/cancel-posting': ['ozon', 'alerts'],
  'intake/webhook': ['ozon', 'sendPushes'],
  'intake/seller-api': ['ozon', 'resumeWaits'],
  'intake/poller': ['ozon', 'alerts', 'resumeWaits', 'startExecutions'],
  'intake/push-processor': ['resumeWaits', 'startExecutions', 'receivePushes'],
  'stock/decide-short-stock': [],
  'stock/cancel-short-lines': ['ozon', 'alerts'],
  'fulfilment/remind-packing': ['alerts'],
  'delivery/tracking-overdue': ['alerts'],
  'delivery/alert-dispute': ['alerts'],
  'delivery/alert-not-accepted': ['alerts'],
};
const having = (need: Need) => FOLDERS.filter((f) => NEEDS[f].includes(need)).sort();

const STATE_MACHINE_ARN = {
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, `:states:${ENV.region}:${ENV.account}:stateMachine:${STATE_MACHINE_NAME}`],
  ],
};

let resources: Record<string, Json>;
const perFunction = new Map<Folder, Statement[]>();
let secretId: string;
let topicId: string;
let bucketId: string;
let tableId: string;

beforeAll(() => {
  ({ resources } = synth());
  for (const f of FOLDERS) perFunction.set(f, roleStatements(resources, functionLogicalId(resources, f)));
  const only = (type: string) => {
    const ids = Object.keys(resources).filter((id) => resources[id].Type === type);
    expect(ids, type).toHaveLength(1);
    return must(ids[0], type);
  };
  secretId = only('AWS::SecretsManager::Secret');
  topicId = only('AWS::SNS::Topic');
  bucketId = only('AWS::S3::Bucket');
  tableId = only('AWS::DynamoDB::Table');
}, 60_000);

const stmts = (f: Folder) => must(perFunction.get(f), f);

/** Folders whose role allows `action`, sorted. */
const allowed = (action: string) => FOLDERS.filter((f) => grants(stmts(f), action).length > 0).sort();

describe('who may do what', () => {
  it('every function has its own role with a policy (found through the entry metadata)', () => {
    const roles = new Set(
      FOLDERS.map((f) => resources[functionLogicalId(resources, f)].Properties.Role['Fn::GetAtt'][0]),
    );
    expect(roles.size).toBe(FOLDERS.length);
    for (const f of FOLDERS) expect(stmts(f).length, f).toBeGreaterThan(0);
  });

  it('only functions that talk to Ozon can read the secret, and only that secret', () => {
    expect(allowed('secretsmanager:GetSecretValue')).toEqual(having('ozon'));
    for (const f of having('ozon')) {
      for (const s of grants(stmts(f), 'secretsmanager:GetSecretValue')) {
        expect(s.resources, f).toEqual([{ Ref: secretId }]);
      }
    }
  });

  it('reserve-stock, register-shipment and await-event cannot read the secret at all', () => {
    for (const f of ['stock/reserve-stock', 'fulfilment/register-shipment', 'waits/await-event'] as const) {
      const secretsActions = stmts(f).flatMap((s) => s.actions.filter((a) => a.startsWith('secretsmanager:')));
      expect(secretsActions, f).toEqual([]);
      expect(JSON.stringify(stmts(f).map((s) => s.resources)), f).not.toContain(secretId);
    }
  });

  it('only the push processor and the poller can start executions, of OrderLifecycle only', () => {
    expect(allowed('states:StartExecution')).toEqual(['intake/poller', 'intake/push-processor']);
    expect(having('startExecutions')).toEqual(['intake/poller', 'intake/push-processor']);
    for (const f of ['intake/push-processor', 'intake/poller'] as const) {
      for (const s of grants(stmts(f), 'states:StartExecution')) expect(s.resources, f).toEqual([STATE_MACHINE_ARN]);
    }
  });

  it('only await-event, check-tracking, push-processor, poller and seller-api can resolve task tokens', () => {
    const expected = (
      [
        'waits/await-event',
        'intake/seller-api',
        'delivery/check-tracking',
        'intake/poller',
        'intake/push-processor',
      ] as Folder[]
    ).sort();
    expect(allowed('states:SendTaskSuccess')).toEqual(expected);
    expect(allowed('states:SendTaskFailure')).toEqual(expected);
    expect(having('resumeWaits')).toEqual(expected);
    for (const f of expected) {
      for (const s of grants(stmts(f), 'states:SendTaskSuccess')) expect(s.resources, f).toEqual([STATE_MACHINE_ARN]);
    }
  });

  it('only pack-and-label can put objects, and only under labels/', () => {
    expect(allowed('s3:PutObject')).toEqual(['fulfilment/pack-and-label']);
    for (const s of grants(stmts('fulfilment/pack-and-label'), 's3:PutObject')) {
      expect(s.resources).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/labels/*']] }]);
    }
    // Nobody can read, list or delete labels.
    for (const a of ['s3:GetObject', 's3:DeleteObject', 's3:ListBucket']) expect(allowed(a), a).toEqual([]);
  });

  it('only functions that alert can publish, to the alerts topic only', () => {
    expect(allowed('sns:Publish')).toEqual(having('alerts'));
    expect(having('alerts')).toEqual(
      [
        'stock/cancel-posting',
        'stock/cancel-short-lines',
        'delivery/check-tracking',
        'fulfilment/confirm-posting',
        'delivery/alert-dispute',
        'delivery/alert-not-accepted',
        'intake/poller',
        'fulfilment/register-shipment',
        'stock/release-stock',
        'fulfilment/remind-packing',
        'stock/reserve-stock',
        'settlement/settle-payout',
        'delivery/tracking-overdue',
      ].sort(),
    );
    for (const f of having('alerts')) {
      for (const s of grants(stmts(f), 'sns:Publish')) expect(s.resources, f).toEqual([{ Ref: topicId }]);
    }
  });

  it('every function reads and writes the orders table (and its indexes) and nothing else in DynamoDB', () => {
    const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };
    const indexArn = { 'Fn::Join': ['', [tableArn, '/index/*']] };
    expect(allowed('dynamodb:UpdateItem')).toEqual([...FOLDERS].sort());
    for (const f of FOLDERS) {
      for (const s of stmts(f).filter((s) => s.actions.some((a) => a.startsWith('dynamodb:')))) {
        expect(s.resources, f).toEqual([tableArn, indexArn]);
      }
    }
  });

  it('no function role has any other service than the ones above', () => {
    const services = new Set([...perFunction.values()].flat().flatMap((s) => s.actions.map((a) => a.split(':')[0])));
    expect([...services].sort()).toEqual(['dynamodb', 'logs', 's3', 'secretsmanager', 'sns', 'sqs', 'states', 'xray']);
  });

  it('every function may write logs to its own log group only (no AWSLambdaBasicExecutionRole)', () => {
    for (const f of FOLDERS) {
      const fn = resources[functionLogicalId(resources, f)];
      const ownGroup = { 'Fn::GetAtt': [fn.Properties.LoggingConfig.LogGroup.Ref, 'Arn'] };
      const logStatements = stmts(f).filter((s) => s.actions.some((a) => a.startsWith('logs:')));
      expect(logStatements.flatMap((s) => s.actions).sort(), f).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      for (const s of logStatements) expect(s.resources, f).toEqual([ownGroup]);
      const role = resources[fn.Properties.Role['Fn::GetAtt'][0]];
      expect(role.Properties.ManagedPolicyArns, f).toBeUndefined();
    }
  });

  it('only the webhook can send to the push queue and only the push processor can receive from it', () => {
    const queueId = must(
      Object.keys(resources).find(
        (id) => resources[id].Type === 'AWS::SQS::Queue' && resources[id].Properties.RedrivePolicy,
      ),
      'push queue',
    );
    expect(allowed('sqs:SendMessage')).toEqual(having('sendPushes'));
    expect(allowed('sqs:ReceiveMessage')).toEqual(having('receivePushes'));
    expect(allowed('sqs:DeleteMessage')).toEqual(having('receivePushes'));
    for (const f of ['intake/webhook', 'intake/push-processor'] as const) {
      for (const s of stmts(f).filter((s) => s.actions.some((a) => a.startsWith('sqs:')))) {
        expect(s.resources, f).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
      }
    }
  });
});

describe('no wildcards that write', () => {
  /**
   * Step Functions' log delivery to CloudWatch Logs only works with these actions on `*` (the vended-logs APIs
   * support no resource-level permissions); CDK adds them to the state machine role when `logs` is set.
   * They are the one accepted exception, pinned exactly so nothing else can hide behind it.
   */
  const SFN_LOG_DELIVERY = [
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
  ];
  const READ_ONLY = /^[a-z0-9-]+:(Get|List|Describe|BatchGet|Query|Scan)[A-Za-z]*$/;
  const XRAY_PUT = /^xray:Put[A-Za-z]+$/;

  it('no Action "*", and Resource "*" only with X-Ray puts, reads, or the Step Functions log-delivery set', () => {
    const all = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
      .flatMap(([id, r]) => statementsOf(id, r));
    // Inline role policies would escape the check above; there are none.
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type === 'AWS::IAM::Role') expect(r.Properties.Policies, id).toBeUndefined();
    }
    expect(all.length).toBeGreaterThan(30);
    const offenders: string[] = [];
    for (const s of all.filter((s) => s.effect === 'Allow')) {
      if (s.actions.some((a) => a === '*' || /^[a-z0-9-]+:\*$/.test(a))) offenders.push(`${s.policy}: ${s.actions}`);
      if (!s.resources.includes('*')) continue;
      const isLogDelivery =
        s.policy.startsWith('OrderLifecycleRole') &&
        [...s.actions].sort().join() === [...SFN_LOG_DELIVERY].sort().join();
      if (isLogDelivery) continue;
      const writes = s.actions.filter((a) => !XRAY_PUT.test(a) && !READ_ONLY.test(a));
      if (writes.length > 0) offenders.push(`${s.policy}: ${writes} on *`);
    }
    expect(offenders).toEqual([]);
  });

  it('the state machine role may invoke exactly the workflow functions', () => {
    const smPolicy = Object.entries(resources).filter(
      ([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('OrderLifecycleRole'),
    );
    expect(smPolicy).toHaveLength(1);
    const invoked = new Set<string>();
    const [smPolicyId, smPolicyRes] = must(smPolicy[0], 'state machine policy');
    for (const s of statementsOf(smPolicyId, smPolicyRes)) {
      if (!s.actions.includes('lambda:InvokeFunction')) continue;
      for (const r of s.resources) {
        const fnId = r['Fn::GetAtt']?.[0] ?? r['Fn::Join']?.[1]?.[0]?.['Fn::GetAtt']?.[0];
        expect(fnId, JSON.stringify(r)).toBeDefined();
        invoked.add(fnId);
      }
    }
    const notInWorkflow = ['intake/webhook', 'intake/seller-api', 'intake/poller', 'intake/push-processor'].map((f) =>
      functionLogicalId(resources, f),
    );
    const workflow = FOLDERS.map((f) => functionLogicalId(resources, f)).filter((id) => !notInWorkflow.includes(id));
    expect([...invoked].sort()).toEqual(workflow.sort());
  });
});
