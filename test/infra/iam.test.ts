/**
 * Least privilege: each function's role grants exactly what its binding in infra/stack.ts asks for (the expected
 * capabilities are written out by hand in synth.ts FUNCTIONS, so adding a need in the stack must be mirrored there),
 * and the custom resource that hashes the push token is the only other reader of a secret.
 */
import type { Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { STATE_MACHINE_NAME } from '../../infra/stack';
import {
  allRoles,
  ENTRIES,
  ENV,
  type Entry,
  functionLogicalId,
  grants,
  having,
  type Json,
  logicalIdAt,
  must,
  RETURN_ENTRIES,
  roleOf,
  roleStatements,
  type Statement,
  statementsOf,
  synth,
} from './synth';

const stateMachineArn = (resource: string) => ({
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, `:states:${ENV.region}:${ENV.account}:${resource}:${STATE_MACHINE_NAME}`],
  ],
});
const STATE_MACHINE_ARN = stateMachineArn('stateMachine');
const EXECUTIONS_ARN = {
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, `:states:${ENV.region}:${ENV.account}:execution:${STATE_MACHINE_NAME}:*`],
  ],
};

/** The only DynamoDB actions anyone has: no Scan, DeleteItem or BatchWriteItem. */
const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:ConditionCheckItem',
].sort();

let resources: Record<string, Json>;
let roles: Map<string, Statement[]>;
const perFunction = new Map<Entry, Statement[]>();
const roleOfEntry = new Map<Entry, string>();
let secret: { ozon: string; pushToken: string; sellerApiKey: string };
let hashRole: string;
let frameworkRole: string;
let topicId: string;
let bucketId: string;
let tableId: string;
let stack: Stack;

beforeAll(() => {
  ({ resources, stack } = synth());
  roles = allRoles(resources);
  for (const e of ENTRIES) {
    const fnId = functionLogicalId(resources, e);
    perFunction.set(e, roleStatements(resources, fnId));
    roleOfEntry.set(e, roleOf(resources, fnId));
  }
  secret = {
    ozon: logicalIdAt(stack, 'OzonCredentials'),
    pushToken: logicalIdAt(stack, 'PushToken/Secret'),
    sellerApiKey: logicalIdAt(stack, 'SellerApiKey'),
  };
  hashRole = roleOf(resources, logicalIdAt(stack, 'PushToken/Hash'));
  frameworkRole = roleOf(resources, logicalIdAt(stack, 'PushToken/Provider/framework-onEvent'));
  const only = (type: string) => {
    const ids = Object.keys(resources).filter((id) => resources[id].Type === type);
    expect(ids, type).toHaveLength(1);
    return must(ids[0], type);
  };
  topicId = only('AWS::SNS::Topic');
  bucketId = only('AWS::S3::Bucket');
  tableId = only('AWS::DynamoDB::Table');
}, 60_000);

const stmts = (e: Entry) => must(perFunction.get(e), e);
const roleIdOf = (e: Entry) => must(roleOfEntry.get(e), e);
const actionsOf = (statements: Statement[]) =>
  [...new Set(statements.filter((s) => s.effect === 'Allow').flatMap((s) => s.actions))].sort();

/** Entries whose role allows `action`, sorted. */
const allowed = (action: string) => ENTRIES.filter((e) => grants(stmts(e), action).length > 0);
/** Every role in the stack (functions, custom resource, state machine, scheduler) that allows `action`, sorted. */
const rolesAllowing = (action: string) =>
  [...roles].filter(([, statements]) => grants(statements, action).length > 0).map(([id]) => id);
/** Roles with any statement on `resourceRef` that uses one of `service`'s actions. */
const rolesTouching = (service: string, resourceRef: Json) =>
  [...roles]
    .filter(([, statements]) =>
      statements.some(
        (s) =>
          s.actions.some((a) => a.startsWith(`${service}:`)) &&
          s.resources.some((r) => JSON.stringify(r) === JSON.stringify(resourceRef)),
      ),
    )
    .map(([id]) => id)
    .sort();

describe('function → IAM actions', () => {
  it('prints the table for the review', () => {
    const width = Math.max(...ENTRIES.map((e) => e.length)) + 1;
    const lines = ENTRIES.map((e) => `${`${e}:`.padEnd(width)} ${actionsOf(stmts(e)).join(', ')}`);
    lines.push(`${'PushToken hash:'.padEnd(width)} ${actionsOf(must(roles.get(hashRole), 'hash role')).join(', ')}`);
    lines.push(
      `${'PushToken provider:'.padEnd(width)} ${actionsOf(must(roles.get(frameworkRole), 'framework role')).join(', ')} (+ AWSLambdaBasicExecutionRole)`,
    );
    console.info(`Function → IAM actions\n${lines.join('\n')}`);
    expect(lines).toHaveLength(ENTRIES.length + 2);
  });
});

describe('who may do what', () => {
  it('every product function has its own role with a policy (found through the entry metadata)', () => {
    const distinct = new Set(ENTRIES.map(roleIdOf));
    expect(distinct.size).toBe(ENTRIES.length);
    for (const e of ENTRIES) expect(stmts(e).length, e).toBeGreaterThan(0);
  });

  it('only the functions that call Ozon can read the Ozon credentials', () => {
    const callers: Entry[] = [
      'aftersale/decide-cancellation-request',
      'aftersale/decide-return',
      'aftersale/follow-return',
      'aftersale/settle-return',
      'delivery/check-tracking',
      'delivery/set-tracking-number',
      'fulfilment/confirm-posting',
      'fulfilment/prepare-assembly',
      'fulfilment/receive-posting',
      'fulfilment/register-shipment',
      'fulfilment/ship-in-packages',
      'handover/check-act',
      'handover/check-handover',
      'handover/create-act',
      'handover/fetch-labels',
      'handover/hand-over-documents',
      'handover/print-labels',
      'intake/poller',
      'intake/push-processor',
      'intake/seller-api',
      'settlement/settle-payout',
      'stock/cancel-posting',
      'stock/cancel-short-lines',
      'stock/release-stock',
      'stock/reserve-stock',
    ];
    expect(having('ozon')).toEqual(callers);
    expect(rolesTouching('secretsmanager', { Ref: secret.ozon })).toEqual(callers.map(roleIdOf).sort());
  });

  it('only the push token hash Lambda can read the PushToken secret', () => {
    expect(rolesTouching('secretsmanager', { Ref: secret.pushToken })).toEqual([hashRole]);
  });

  it('only the seller API can read the SellerApiKey secret', () => {
    expect(having('sellerApi')).toEqual(['intake/seller-api']);
    expect(rolesTouching('secretsmanager', { Ref: secret.sellerApiKey })).toEqual([roleIdOf('intake/seller-api')]);
  });

  it('secret reads are GetSecretValue/DescribeSecret on one of the three secrets, never on a wildcard', () => {
    const secretRefs = Object.values(secret).map((id) => JSON.stringify({ Ref: id }));
    for (const [roleId, statements] of roles) {
      for (const s of statements.filter((s) => s.actions.some((a) => a.startsWith('secretsmanager:')))) {
        expect(s.actions.sort(), roleId).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
        for (const r of s.resources) expect(secretRefs, roleId).toContain(JSON.stringify(r));
      }
    }
    // Functions without Ozon or the seller API key cannot read any secret at all.
    for (const e of ENTRIES.filter((e) => !having('ozon').includes(e) && !having('sellerApi').includes(e))) {
      expect(
        stmts(e).flatMap((s) => s.actions.filter((a) => a.startsWith('secretsmanager:'))),
        e,
      ).toEqual([]);
    }
  });

  it('the push processor, the seller API and the poller can start executions, of OrderLifecycle only', () => {
    // The poller also starts Handover executions (one per carriage) and ReturnLifecycle ones (one per return), each
    // of that machine only.
    const starters = [
      ...new Set([...having('startExecutions'), ...having('startHandovers'), ...having('startReturns')]),
    ].sort();
    expect(allowed('states:StartExecution')).toEqual(starters);
    expect(having('startHandovers')).toEqual(['intake/poller']);
    expect(having('startReturns')).toEqual(['intake/poller']);
    const machineArn = (name: string) => {
      const id = Object.keys(resources).find(
        (id) =>
          resources[id].Type === 'AWS::StepFunctions::StateMachine' &&
          resources[id].Properties.StateMachineName === name,
      );
      return { Ref: must(id, `the ${name} state machine`) };
    };
    const handoverArn = machineArn('Handover');
    const returnsArn = machineArn('ReturnLifecycle');
    for (const arn of [handoverArn, returnsArn]) {
      const only = grants(stmts('intake/poller'), 'states:StartExecution').filter(
        (s) => JSON.stringify(s.resources) === JSON.stringify([arn]),
      );
      expect(only).toHaveLength(1);
    }
    expect(having('startExecutions')).toEqual([
      'fulfilment/ship-in-packages',
      'intake/poller',
      'intake/push-processor',
      'intake/seller-api',
    ]);
    expect(rolesAllowing('states:StartExecution').sort()).toEqual(having('startExecutions').map(roleIdOf).sort());
    for (const e of ['intake/push-processor', 'intake/poller', 'intake/seller-api'] as const) {
      for (const s of grants(stmts(e), 'states:StartExecution')) {
        const other = [handoverArn, returnsArn].some((arn) => JSON.stringify(s.resources) === JSON.stringify([arn]));
        if (e === 'intake/poller' && other) continue;
        expect(s.resources, e).toEqual([STATE_MACHINE_ARN]);
      }
    }
  });

  it("only the seller API can describe executions, and only OrderLifecycle's", () => {
    expect(having('describeExecutions')).toEqual(['intake/seller-api']);
    expect(rolesAllowing('states:DescribeExecution')).toEqual([roleIdOf('intake/seller-api')]);
    const statements = grants(stmts('intake/seller-api'), 'states:DescribeExecution');
    expect(statements.flatMap((s) => s.resources)).toContainEqual(EXECUTIONS_ARN);
    for (const s of statements) {
      for (const r of s.resources) expect([STATE_MACHINE_ARN, EXECUTIONS_ARN]).toContainEqual(r);
    }
  });

  it('only the functions that resume waits can resolve task tokens, on OrderLifecycle only', () => {
    const expected: Entry[] = [
      'aftersale/decide-cancellation-request',
      'delivery/check-tracking',
      'fulfilment/label-batch',
      'fulfilment/pack-and-label',
      'fulfilment/receive-posting',
      'fulfilment/register-shipment',
      'intake/poller',
      'intake/push-processor',
      'intake/seller-api',
      'stock/cancel-posting',
      'stock/cancel-short-lines',
      'stock/release-stock',
      'waits/await-event',
    ];
    expect(having('resumeWaits')).toEqual(expected);
    for (const action of ['states:SendTaskSuccess', 'states:SendTaskFailure']) {
      expect(allowed(action), action).toEqual(expected);
      expect(rolesAllowing(action).sort(), action).toEqual(expected.map(roleIdOf).sort());
      for (const e of expected) {
        for (const s of grants(stmts(e), action)) expect(s.resources, `${e} ${action}`).toEqual([STATE_MACHINE_ARN]);
      }
    }
    // Nothing sends heartbeats (no state has HeartbeatSeconds), so nobody may.
    expect(rolesAllowing('states:SendTaskHeartbeat')).toEqual([]);
  });

  it('only the packing batcher, the carriage labels and the handover documents can put and get objects (signed links), only under labels/', () => {
    const writers = [
      'fulfilment/label-batch',
      'handover/fetch-labels',
      'handover/hand-over-documents',
      'handover/print-labels',
    ] as const;
    expect(allowed('s3:PutObject')).toEqual(having('labels'));
    expect(having('labels')).toEqual([...writers]);
    for (const action of ['s3:PutObject', 's3:GetObject']) {
      expect(rolesAllowing(action).sort(), action).toEqual(writers.map(roleIdOf).sort());
      for (const writer of writers) expect(grants(stmts(writer), action)).not.toHaveLength(0);
      for (const s of writers.flatMap((w) => grants(stmts(w), action))) {
        expect(s.actions).toEqual(['s3:PutObject', 's3:GetObject']);
        expect(s.resources).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/labels/*']] }]);
      }
    }
    // Nobody can list or delete labels.
    for (const a of ['s3:DeleteObject', 's3:ListBucket']) expect(rolesAllowing(a), a).toEqual([]);
  });

  it('only functions that alert can publish, to the alerts topic only', () => {
    expect(allowed('sns:Publish')).toEqual(having('alerts'));
    expect(having('alerts')).toEqual(
      [
        'aftersale/decide-cancellation-request',
        'aftersale/decide-return',
        'aftersale/follow-return',
        'aftersale/leave-return',
        'aftersale/settle-return',
        'stock/cancel-posting',
        'stock/cancel-short-lines',
        'delivery/check-tracking',
        'fulfilment/confirm-posting',
        'fulfilment/label-batch',
        'fulfilment/prepare-assembly',
        'fulfilment/receive-posting',
        'fulfilment/ship-in-packages',
        'handover/alert-handover-problem',
        'handover/check-handover',
        'handover/hand-over-documents',
        'delivery/alert-dispute',
        'delivery/alert-not-accepted',
        'intake/poller',
        'intake/push-processor',
        'fulfilment/register-shipment',
        'stock/release-stock',
        'fulfilment/remind-packing',
        'quality/quality-check-failed',
        'quality/remind-quality-check',
        'stock/reserve-stock',
        'settlement/settle-payout',
        'delivery/tracking-overdue',
        'waits/await-event',
      ].sort(),
    );
    for (const e of having('alerts')) {
      for (const s of grants(stmts(e), 'sns:Publish')) expect(s.resources, e).toEqual([{ Ref: topicId }]);
    }
  });

  it('no product function role has any other service than the ones above', () => {
    const services = new Set([...perFunction.values()].flat().flatMap((s) => s.actions.map((a) => a.split(':')[0])));
    expect([...services].sort()).toEqual(['dynamodb', 'logs', 's3', 'secretsmanager', 'sns', 'sqs', 'states', 'xray']);
  });

  it('every product function may write logs to its own log group only (no AWSLambdaBasicExecutionRole)', () => {
    for (const e of ENTRIES) {
      const fn = resources[functionLogicalId(resources, e)];
      const ownGroup = { 'Fn::GetAtt': [fn.Properties.LoggingConfig.LogGroup.Ref, 'Arn'] };
      const logStatements = stmts(e).filter((s) => s.actions.some((a) => a.startsWith('logs:')));
      expect(logStatements.flatMap((s) => s.actions).sort(), e).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      for (const s of logStatements) expect(s.resources, e).toEqual([ownGroup]);
      expect(resources[roleIdOf(e)].Properties.ManagedPolicyArns, e).toBeUndefined();
    }
  });

  it('only the webhook sends to the push queue, only pack-and-label and the batcher (asking again) to the label queue; each has one consumer', () => {
    const arnOf = (constructPath: string) => ({ 'Fn::GetAtt': [logicalIdAt(stack, constructPath), 'Arn'] });
    const pushQueue = arnOf('PushQueue');
    const labelQueue = arnOf('LabelQueue');
    expect(having('sendPushes')).toEqual(['intake/webhook']);
    expect(having('receivePushes')).toEqual(['intake/push-processor']);
    expect(having('sendLabelRequests')).toEqual(['fulfilment/label-batch', 'fulfilment/pack-and-label']);
    expect(having('receiveLabelRequests')).toEqual(['fulfilment/label-batch']);
    const senders = [...new Set([...having('sendPushes'), ...having('sendLabelRequests')])];
    const receivers = [...having('receivePushes'), ...having('receiveLabelRequests')];
    expect(rolesAllowing('sqs:SendMessage').sort()).toEqual(senders.map(roleIdOf).sort());
    expect(rolesAllowing('sqs:ReceiveMessage').sort()).toEqual(receivers.map(roleIdOf).sort());
    expect(rolesAllowing('sqs:DeleteMessage').sort()).toEqual(receivers.map(roleIdOf).sort());
    // Each of them on its own queue only: the webhook cannot feed the label batcher, nor PackAndLabel the processor.
    const queueOf: [Entry, Json][] = [
      ['intake/webhook', pushQueue],
      ['intake/push-processor', pushQueue],
      ['fulfilment/pack-and-label', labelQueue],
      ['fulfilment/label-batch', labelQueue],
    ];
    for (const [e, queue] of queueOf) {
      const sqsStatements = stmts(e).filter((s) => s.actions.some((a) => a.startsWith('sqs:')));
      expect(sqsStatements, e).not.toHaveLength(0);
      for (const s of sqsStatements) expect(s.resources, e).toEqual([queue]);
    }
    const rolesOf = (entries: Entry[]) => entries.map(roleIdOf).sort();
    expect(rolesTouching('sqs', pushQueue)).toEqual(rolesOf(['intake/webhook', 'intake/push-processor']));
    expect(rolesTouching('sqs', labelQueue)).toEqual(rolesOf(['fulfilment/pack-and-label', 'fulfilment/label-batch']));
    // No other function has any SQS action, and nobody any on a dead-letter queue (redriven by hand).
    const withSqs = ENTRIES.filter((e) => stmts(e).some((s) => s.actions.some((a) => a.startsWith('sqs:'))));
    expect(withSqs).toEqual(queueOf.map(([e]) => e).sort());
    for (const dlq of ['PushDeadLetters', 'LabelDeadLetters'])
      expect(rolesTouching('sqs', arnOf(dlq)), dlq).toEqual([]);
  });
});

describe('the webhook (a public URL)', () => {
  it('may send to the push queue, write its logs and traces, and nothing else', () => {
    const actions = actionsOf(stmts('intake/webhook'));
    for (const service of ['dynamodb', 'secretsmanager', 'states', 's3', 'sns', 'kms', 'lambda']) {
      expect(
        actions.filter((a) => a.startsWith(`${service}:`) || a === '*'),
        service,
      ).toEqual([]);
    }
    expect(actions).toEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });

  it('has no secret ARN and no token in its environment: the queue URL, the token hash and runtime variables', () => {
    const env = resources[functionLogicalId(resources, 'intake/webhook')].Properties.Environment.Variables;
    expect(Object.keys(env).sort()).toEqual(
      [
        'NODE_OPTIONS',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
        'PUSH_QUEUE_URL',
        'PUSH_TOKEN_SHA256',
      ].sort(),
    );
    const text = JSON.stringify(env);
    for (const id of Object.values(secret)) expect(text).not.toContain(id);
    expect(text).not.toContain('secretsmanager');
  });
});

describe('the table', () => {
  it('no role anywhere may Scan, DeleteItem or BatchWriteItem', () => {
    for (const action of [
      'dynamodb:Scan',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:PartiQLDelete',
    ]) {
      expect(rolesAllowing(action), action).toEqual([]);
    }
    // Nor through a managed policy: the only one allowed is AWSLambdaBasicExecutionRole (CloudWatch Logs), on the
    // role CDK makes for the custom resource provider framework.
    for (const [id] of roles) {
      for (const arn of resources[id].Properties.ManagedPolicyArns ?? []) {
        expect(id).toBe(frameworkRole);
        expect(arn).toEqual({
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
          ],
        });
      }
    }
  });

  it('every table user has exactly the six item actions, on the table and its indexes; nobody else has any', () => {
    const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };
    const indexArn = { 'Fn::Join': ['', [tableArn, '/index/*']] };
    const users = having('table');
    expect(users).toEqual(ENTRIES.filter((e) => e !== 'intake/webhook'));
    for (const e of users) {
      const dynamo = stmts(e).filter((s) => s.actions.some((a) => a.startsWith('dynamodb:')));
      expect(actionsOf(dynamo), e).toEqual(TABLE_ACTIONS);
      for (const s of dynamo) expect(s.resources, e).toEqual([tableArn, indexArn]);
    }
    const withDynamo = [...roles]
      .filter(([, statements]) => statements.some((s) => s.actions.some((a) => a.startsWith('dynamodb:'))))
      .map(([id]) => id)
      .sort();
    expect(withDynamo).toEqual(users.map(roleIdOf).sort());
  });
});

describe('the push token custom resource', () => {
  it('its hash Lambda may read the PushToken secret and write its own logs, nothing else', () => {
    const statements = must(roles.get(hashRole), 'hash role');
    const hash = resources[functionOfRole(hashRole)];
    const ownGroup = { 'Fn::GetAtt': [hash.Properties.LoggingConfig.LogGroup.Ref, 'Arn'] };
    expect(statements.map((s) => ({ actions: [...s.actions].sort(), resources: s.resources }))).toEqual([
      { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [ownGroup] },
      {
        actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        resources: [{ Ref: secret.pushToken }],
      },
    ]);
    expect(resources[hashRole].Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('its provider framework may only invoke the hash Lambda', () => {
    const hashArn = { 'Fn::GetAtt': [functionOfRole(hashRole), 'Arn'] };
    const statements = must(roles.get(frameworkRole), 'framework role');
    const lambdaStatements = statements.filter((s) => s.actions.some((a) => a.startsWith('lambda:')));
    expect(actionsOf(lambdaStatements)).toEqual(['lambda:GetFunction', 'lambda:InvokeFunction']);
    for (const s of lambdaStatements) {
      for (const r of s.resources) expect([hashArn, { 'Fn::Join': ['', [hashArn, ':*']] }]).toContainEqual(r);
    }
    // Besides invoking it, only writing to its own log group.
    expect(actionsOf(statements.filter((s) => !lambdaStatements.includes(s)))).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });
});

/** The one Lambda function that runs with `roleId`. */
function functionOfRole(roleId: string): string {
  const fns = Object.keys(resources).filter(
    (id) =>
      resources[id].Type === 'AWS::Lambda::Function' && resources[id].Properties.Role?.['Fn::GetAtt']?.[0] === roleId,
  );
  expect(fns, roleId).toHaveLength(1);
  return must(fns[0], roleId);
}

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
        ['OrderLifecycleRole', 'HandoverRole', 'ReturnLifecycleRole'].some((r) => s.policy.startsWith(r)) &&
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
    const notInWorkflow: Entry[] = [
      'intake/webhook',
      'intake/seller-api',
      'intake/poller',
      'intake/push-processor',
      'fulfilment/label-batch',
    ];
    const workflow = ENTRIES.filter(
      (e) => !notInWorkflow.includes(e) && !e.startsWith('handover/') && !RETURN_ENTRIES.includes(e),
    ).map((e) => functionLogicalId(resources, e));
    expect([...invoked].sort()).toEqual(workflow.sort());
  });

  /** The functions a state machine's role may invoke: its one policy's InvokeFunction resources. */
  const invokedBy = (rolePrefix: string) => {
    const policies = Object.entries(resources).filter(
      ([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith(rolePrefix),
    );
    expect(policies).toHaveLength(1);
    const [id, res] = must(policies[0], `${rolePrefix} policy`);
    const invoked = new Set<string>();
    for (const s of statementsOf(id, res)) {
      if (!s.actions.includes('lambda:InvokeFunction')) continue;
      for (const r of s.resources) invoked.add(r['Fn::GetAtt']?.[0] ?? r['Fn::Join']?.[1]?.[0]?.['Fn::GetAtt']?.[0]);
    }
    return [...invoked].sort();
  };

  it('the Handover role may invoke exactly the handover functions', () => {
    const handover = ENTRIES.filter((e) => e.startsWith('handover/')).map((e) => functionLogicalId(resources, e));
    expect(handover).toHaveLength(7);
    expect(invokedBy('HandoverRole')).toEqual(handover.sort());
  });

  it('the ReturnLifecycle role may invoke exactly the return functions', () => {
    const steps = RETURN_ENTRIES.map((e) => functionLogicalId(resources, e));
    expect(steps).toHaveLength(4);
    expect(invokedBy('ReturnLifecycleRole')).toEqual(steps.sort());
  });
});
