/**
 * Shared helpers for the infra tests: synthesize the stack without bundling, look resources up by the entry
 * metadata StepFunction records, and flatten IAM statements.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ENTRY_METADATA } from '../../infra/constructs/autopilot-function';
import { OzonAutopilotStack } from '../../infra/stack';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is loosely typed
export type Json = any;

/** `x`, or a thrown error naming `what` when it is missing (instead of a non-null assertion). */
export function must<T>(x: T | undefined | null, what: string): T {
  if (x === undefined || x === null) throw new Error(`missing: ${what}`);
  return x;
}

export const ENV = { account: '123456789012', region: 'eu-central-1' } as const;

/**
 * A fresh app and stack; bundling is skipped so synthesis takes seconds, not minutes. CDK's built-in CloudFormation
 * schema validation costs ~6 s on first use (it loads the resource spec), so only stack.test.ts turns it on.
 */
export function makeStack(opts: { cfnValidation?: boolean } = {}): { app: App; stack: OzonAutopilotStack } {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: opts.cfnValidation ?? false,
  });
  const stack = new OzonAutopilotStack(app, 'Test', { env: ENV });
  return { app, stack };
}

export function synth(opts: { cfnValidation?: boolean } = {}): {
  app: App;
  stack: OzonAutopilotStack;
  template: Template;
  resources: Record<string, Json>;
} {
  const { app, stack } = makeStack(opts);
  const template = Template.fromStack(stack);
  return { app, stack, template, resources: template.toJSON().Resources as Record<string, Json> };
}

/** Every function folder under functions/ that infra/stack.ts deploys. */
export const FOLDERS = [
  'fulfilment/receive-posting',
  'stock/reserve-stock',
  'fulfilment/confirm-posting',
  'waits/await-event',
  'fulfilment/pack-and-label',
  'fulfilment/register-shipment',
  'delivery/set-tracking-number',
  'delivery/check-tracking',
  'settlement/settle-payout',
  'stock/release-stock',
  'stock/cancel-posting',
  'intake/webhook',
  'intake/seller-api',
  'intake/poller',
  'intake/push-processor',
  'stock/decide-short-stock',
  'stock/cancel-short-lines',
  'fulfilment/remind-packing',
  'delivery/tracking-overdue',
  'delivery/alert-dispute',
  'delivery/alert-not-accepted',
] as const;
export type Folder = (typeof FOLDERS)[number];

export const entryOf = (entry: string) => `functions/${entry}.ts`;

/** Logical id of the AWS::Lambda::Function whose entry metadata is functions/<folder>/handler.ts. */
export function functionLogicalId(resources: Record<string, Json>, folder: string): string {
  const hits = Object.entries(resources).filter(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.[ENTRY_METADATA] === entryOf(folder),
  );
  if (hits.length !== 1) throw new Error(`expected exactly one function for ${folder}, found ${hits.length}`);
  return must(hits[0], folder)[0];
}

/** An IAM statement with Action and Resource normalized to arrays. */
export interface Statement {
  policy: string;
  effect: string;
  actions: string[];
  resources: Json[];
  raw: Json;
}

const arr = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

export function statementsOf(policyId: string, policy: Json): Statement[] {
  return arr<Json>(policy.Properties.PolicyDocument.Statement).map((s) => ({
    policy: policyId,
    effect: s.Effect,
    actions: arr<string>(s.Action),
    resources: arr<Json>(s.Resource),
    raw: s,
  }));
}

/** Statements of every AWS::IAM::Policy attached to the role of the given function, plus the role's inline policies. */
export function roleStatements(resources: Record<string, Json>, functionId: string): Statement[] {
  const roleRef = resources[functionId].Properties.Role;
  const roleId: string | undefined = roleRef?.['Fn::GetAtt']?.[0];
  if (!roleId || resources[roleId]?.Type !== 'AWS::IAM::Role')
    throw new Error(`${functionId} has no role in this stack`);
  const out: Statement[] = [];
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    if (arr<Json>(r.Properties.Roles).some((ref) => ref?.Ref === roleId)) out.push(...statementsOf(id, r));
  }
  for (const inline of arr<Json>(resources[roleId].Properties.Policies)) {
    out.push(
      ...statementsOf(`${roleId}/${inline.PolicyName}`, { Properties: { PolicyDocument: inline.PolicyDocument } }),
    );
  }
  return out;
}

/** Actions an allowing statement grants; a statement with a wildcard action like `s3:Put*` counts if it matches. */
export function grants(statements: Statement[], action: string): Statement[] {
  const [service] = action.split(':');
  return statements.filter(
    (s) =>
      s.effect === 'Allow' &&
      s.actions.some((a) => {
        if (a === '*' || a === action) return true;
        if (!a.includes('*')) return false;
        const re = new RegExp(`^${a.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
        return a.split(':')[0] === service && re.test(action);
      }),
  );
}
