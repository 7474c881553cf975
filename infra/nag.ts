/**
 * cdk-nag AwsSolutions findings this stack keeps on purpose, each with the reason, recorded with
 * `Validations.of(construct).acknowledge` on the narrowest construct that carries it: a runtime finding on the
 * function, a managed-policy finding on the role, a wildcard finding on the policy that grants it. Findings worth
 * fixing are fixed where the resource is made (own log-group-scoped Lambda roles, s3:PutObject only, the six table
 * actions, state machine logging at ALL); test/infra/nag.test.ts fails on any finding not fixed or acknowledged
 * here, and on any acknowledgement that no longer matches a finding.
 *
 * Wildcards are acknowledged by their exact finding id (`AwsSolutions-IAM5[Resource::…]`), never by the bare rule,
 * and only in the forms listed in `acceptedWildcard` below, each checked against the actions it is granted with:
 * a new wildcard, or a known one granted with a new action, still fails the test.
 */
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { IConstruct } from 'constructs';
import { AutopilotFunction, TABLE_ACTIONS } from './constructs/autopilot-function';
import { PushToken } from './constructs/push-token';

interface Ack {
  id: string;
  reason: string;
}

const L1_REASON =
  'Node.js 22 on purpose: the bundles target node22 and the local runtime and CI run Node 22, so what is tested is what runs. Moving to a newer runtime is a deliberate upgrade of all three together.';
const XRAY_ACTIONS = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
];
const XRAY_REASON =
  'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords (and the sampling reads) support no resource-level permissions, so CDK grants them on *.';
/** What CDK adds to a state machine role for `logs: { destination }`; the vended-logs APIs take no resource. */
const SFN_LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];
const BASIC_EXECUTION_ROLE = 'arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

// biome-ignore lint/suspicious/noExplicitAny: resolved CloudFormation JSON is loosely typed
type Json = any;

const arr = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const subset = (xs: string[], of: string[]) => xs.length > 0 && xs.every((x) => of.includes(x));

/** A resolved CloudFormation value as cdk-nag writes it in a finding id (its flattenCfnReference). */
function flatten(node: Json): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (node?.['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'] as [string, Json[]];
    return items.map(flatten).join(delimiter);
  }
  if (node?.['Fn::Sub']) return flatten(node['Fn::Sub']);
  if (node?.['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'] as [Json, Json];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (node?.Ref) return `<${flatten(node.Ref)}>`;
  return JSON.stringify(node);
}

/** The `<LogicalId.Arn>` form cdk-nag uses for a resource's ARN in a finding. */
function arnToken(construct: IConstruct): string {
  const cfn = (construct.node.defaultChild ?? construct) as CfnElement;
  return `<${Stack.of(construct).resolve(cfn.logicalId)}.Arn>`;
}

/** Every wildcard resource an IAM policy allows, flattened as in its IAM5 finding, with the actions granted on it. */
function wildcardResources(policy: iam.Policy): Map<string, string[]> {
  const doc = Stack.of(policy).resolve(policy.document) as Json;
  const out = new Map<string, string[]>();
  for (const s of arr<Json>(doc?.Statement)) {
    if (s.Effect !== 'Allow') continue;
    for (const resource of arr<Json>(s.Resource).map(flatten)) {
      if (resource.includes('*')) out.set(resource, [...(out.get(resource) ?? []), ...arr<string>(s.Action)]);
    }
  }
  return out;
}

interface Context {
  tables: dynamodb.Table[];
  buckets: s3.Bucket[];
  /** `<LogicalId.Arn>:*` of every Lambda function in the stack. */
  functionVersions: Set<string>;
}

/**
 * The wildcard forms this stack accepts on a role, each with the only actions it may come with. Anything else —
 * another wildcard, or one of these granted with more actions — gets no acknowledgement. `invoker` says who the
 * role belongs to when CDK gives it lambda:InvokeFunction on a function's versions; `stateMachine` marks the
 * state machine's role, which alone may have the log-delivery actions on *.
 */
function acceptedWildcard(
  resource: string,
  actions: string[],
  ctx: Context,
  role: { stateMachine: boolean; invoker?: string },
): string | undefined {
  if (resource === '*') {
    if (subset(actions, XRAY_ACTIONS)) return XRAY_REASON;
    if (role.stateMachine && subset(actions, [...XRAY_ACTIONS, ...SFN_LOG_DELIVERY_ACTIONS])) {
      return `${XRAY_REASON} CloudWatch Logs delivery for Step Functions (logs:CreateLogDelivery and related) also requires *.`;
    }
    return undefined;
  }
  if (ctx.tables.some((t) => resource === `${arnToken(t)}/index/*`) && subset(actions, TABLE_ACTIONS)) {
    return "The table's indexes as <table>/index/*, with the same six item actions as the table (no Scan, DeleteItem or BatchWriteItem); the only index is byPhase, which the poller and the deadline checks query.";
  }
  if (
    ctx.buckets.some((b) => resource === `${arnToken(b)}/labels/*`) &&
    subset(actions, ['s3:PutObject', 's3:GetObject'])
  ) {
    return "Label batches are written under labels/<warehouse>/<day>/<batch>.pdf|.txt, one pair per batch: the keys are not known at deploy time, so the grant is the labels/ prefix, PutObject and GetObject only (GetObject signs the seller's download links).";
  }
  // arn:<AWS::Partition>:states:<region>:<account>:execution:<machine>:* — the executions of one state machine.
  const execution = /^arn:<AWS::Partition>:states:[^:]+:[^:]+:execution:([A-Za-z0-9_-]+):\*$/.exec(resource);
  if (
    execution &&
    actions.includes('states:DescribeExecution') &&
    subset(actions, ['states:StartExecution', 'states:DescribeExecution'])
  ) {
    return `DescribeExecution on the executions of ${execution[1]} only: an execution is named by its posting number, which is not known at deploy time. (StartExecution shares the statement; on an execution ARN it grants nothing.)`;
  }
  if (role.invoker && ctx.functionVersions.has(resource) && subset(actions, ['lambda:InvokeFunction'])) {
    return `CDK grants lambda:InvokeFunction on a function and its versions and aliases (<arn>:*) for ${role.invoker}; every version belongs to that one function.`;
  }
  return undefined;
}

export function acknowledgeNagFindings(stack: Stack): void {
  const all = stack.node.findAll();
  const functions = all.filter((c): c is lambda.Function => c instanceof lambda.Function);
  const ctx: Context = {
    tables: all.filter((c): c is dynamodb.Table => c instanceof dynamodb.Table),
    buckets: all.filter((c): c is s3.Bucket => c instanceof s3.Bucket),
    functionVersions: new Set(functions.map((fn) => `${arnToken(fn)}:*`)),
  };
  const stateMachineRoles = new Set(
    all.filter((c): c is sfn.StateMachine => c instanceof sfn.StateMachine).map((m) => m.role),
  );
  const frameworkFunctions = all
    .filter((c): c is cr.Provider => c instanceof cr.Provider)
    .map((p) => p.node.findChild('framework-onEvent') as lambda.Function);
  const frameworkRoles = new Set(frameworkFunctions.map((fn) => fn.role));
  const invokerOf = (role: iam.Role): string | undefined => {
    if (stateMachineRoles.has(role)) return "OrderLifecycle's LambdaInvoke tasks";
    if (frameworkRoles.has(role)) return 'the custom resource provider framework calling the push token hash function';
    // aws-scheduler-targets names the role it makes for a target SchedulerRoleForTarget-<hash>.
    if (role.node.id.startsWith('SchedulerRoleForTarget')) return "the poller's EventBridge Scheduler schedule";
    return undefined;
  };

  // Runtime: the product's functions and the push token's hash function run Node.js 22 on purpose. The provider
  // framework's own function takes CDK's latest Node runtime and raises no L1.
  for (const fn of all.filter((c): c is AutopilotFunction => c instanceof AutopilotFunction)) {
    Validations.of(fn).acknowledge({ id: 'AwsSolutions-L1', reason: L1_REASON });
  }
  for (const token of all.filter((c): c is PushToken => c instanceof PushToken)) {
    Validations.of(token.node.findChild('Hash')).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "Node.js 22 like the product's functions: the inline hash code needs only node:crypto and the SDK v3 client that the Node.js 22 runtime ships; it runs once per deploy and moves with the product's runtime upgrade.",
    });
  }

  // The provider framework's role, when CDK makes it: with AWSLambdaBasicExecutionRole (CloudWatch Logs only).
  for (const fn of frameworkFunctions) {
    const role = fn.role?.node.defaultChild;
    if (!(role instanceof iam.CfnRole)) continue;
    const managed = arr<Json>(stack.resolve(role.managedPolicyArns)).map(flatten);
    if (!managed.includes(BASIC_EXECUTION_ROLE)) continue;
    Validations.of(role.node.scope as IConstruct).acknowledge({
      id: `AwsSolutions-IAM4[Policy::${BASIC_EXECUTION_ROLE}]`,
      reason:
        'The cr.Provider framework function that CloudFormation calls for the push token hash: CDK creates its role with AWSLambdaBasicExecutionRole (CloudWatch Logs only). It runs at deploy time only; its other grant is invoking the hash function.',
    });
  }

  // Wildcards, on the policy that grants them.
  for (const role of all.filter((c): c is iam.Role => c instanceof iam.Role)) {
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (!(policy instanceof iam.Policy)) continue;
    const acks: Ack[] = [];
    for (const [resource, actions] of wildcardResources(policy)) {
      const reason = acceptedWildcard(resource, actions, ctx, {
        stateMachine: stateMachineRoles.has(role),
        invoker: invokerOf(role),
      });
      if (reason) acks.push({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    }
    if (acks.length > 0) Validations.of(policy).acknowledge(...acks);
  }

  for (const bucket of all.filter((c): c is s3.Bucket => c instanceof s3.Bucket)) {
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Labels are short-lived PDFs (90-day expiry) written by one function and read by the seller; S3 server access logs would need a second bucket and add no audit value that CloudTrail data events cannot give when wanted.',
    });
  }

  // Secrets without a rotation Lambda, each for its own reason.
  const pushTokenSecrets = new Set(all.filter((c): c is PushToken => c instanceof PushToken).map((t) => t.secret));
  for (const secret of all.filter((c): c is secretsmanager.Secret => c instanceof secretsmanager.Secret)) {
    const reason = pushTokenSecrets.has(secret)
      ? 'The push token is part of the push URL registered in the Ozon seller cabinet, which has no API: a rotation Lambda could not update Ozon, and pushes would be refused. Rotated by hand: put a new 40-character alphanumeric webhookToken (aws secretsmanager put-secret-value --secret-id <PushTokenSecretArn>), make the PushToken custom resource re-run so the webhook gets the new PUSH_TOKEN_SHA256 (it re-runs on a deploy that changes its properties), then register WebhookUrl + the new token in the Ozon cabinet.'
      : secret.node.id === 'SellerApiKey'
        ? "The seller API key lives in the seller's own systems, which no rotation Lambda can update. Rotated by hand: put a new apiKey of 48 alphanumerics (aws secretsmanager put-secret-value --secret-id <SellerApiKeySecretArn>), then give it to the callers; the seller API reads the secret at run time (cached five minutes by Powertools), no redeploy needed."
        : secret.node.id === 'OzonCredentials'
          ? 'Ozon API keys are issued by the seller in the Ozon seller cabinet; Ozon has no API to create a new key, so a rotation Lambda could not rotate it. The seller replaces clientId/apiKey with aws secretsmanager put-secret-value (README); functions read it at run time (cached five minutes), no redeploy needed.'
          : undefined;
    if (reason) Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason });
  }
}
