/**
 * Shared helpers for the infra tests: synthesize the stack without bundling, the product's functions and what each
 * one is expected to use, look resources up by the entry metadata AutopilotFunction records, and flatten IAM
 * statements.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ENTRY_METADATA } from '../../infra/constructs/autopilot-function';
import { type OzonAutopilotProps, OzonAutopilotStack } from '../../infra/stack';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is loosely typed
export type Json = any;

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

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
export function makeStack(opts: { cfnValidation?: boolean; props?: OzonAutopilotProps } = {}): {
  app: App;
  stack: OzonAutopilotStack;
} {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: opts.cfnValidation ?? false,
  });
  const stack = new OzonAutopilotStack(app, 'Test', { env: ENV, ...opts.props });
  return { app, stack };
}

export function synth(opts: { cfnValidation?: boolean; props?: OzonAutopilotProps } = {}): {
  app: App;
  stack: OzonAutopilotStack;
  template: Template;
  resources: Record<string, Json>;
} {
  const { app, stack } = makeStack(opts);
  const template = Template.fromStack(stack);
  return { app, stack, template, resources: template.toJSON().Resources as Record<string, Json> };
}

/**
 * What a product function uses, as infra/stack.ts binds it. Each capability is a grant and, for most, a
 * configuration section (functions/shared/config.ts SECTIONS) whose variables the function's environment holds.
 */
export type Capability =
  | 'table'
  | 'policy'
  | 'ozon'
  | 'alerts'
  | 'labels'
  | 'resumeWaits'
  | 'startExecutions'
  | 'startHandovers'
  | 'startReturns'
  | 'describeExecutions'
  | 'sellerApi'
  | 'sendPushes'
  | 'receivePushes'
  | 'sendLabelRequests'
  | 'receiveLabelRequests';

/** Every workflow step (and the seller API, poller, push processor and label batcher) uses the table and the policy. */
const STEP = ['table', 'policy'] as const;

/**
 * The product's functions by entry (functions/<entry>.ts) and what each uses, written out by hand on purpose:
 * adding a need in infra/stack.ts must be mirrored here.
 */
export const FUNCTIONS = {
  // Answers what Ozon asks at receipt (a shipment date; the drop-off limits, alerted when a parcel will be refused).
  'fulfilment/receive-posting': [...STEP, 'ozon', 'alerts', 'resumeWaits'],
  // Ozon for the chat alone: the buyer hears of a shortage before any cancellation.
  'stock/reserve-stock': [...STEP, 'ozon', 'alerts'],
  'fulfilment/confirm-posting': [...STEP, 'ozon', 'alerts'],
  'fulfilment/prepare-assembly': [...STEP, 'ozon', 'alerts'],
  // Starts the executions of the postings Ozon made of the packages.
  'fulfilment/ship-in-packages': [...STEP, 'ozon', 'alerts', 'startExecutions'],
  'waits/await-event': [...STEP, 'alerts', 'resumeWaits'],
  // Joins its warehouse's next label batch through the label queue: neither Ozon nor the labels bucket any more.
  'fulfilment/pack-and-label': [...STEP, 'sendLabelRequests', 'resumeWaits'],
  // An aggregator's parcel: Ozon is asked how its registration with the carrier went, and the status recorded.
  'fulfilment/register-shipment': [...STEP, 'ozon', 'alerts', 'resumeWaits'],
  'delivery/set-tracking-number': [...STEP, 'ozon'],
  'delivery/check-tracking': [...STEP, 'ozon', 'alerts', 'resumeWaits'],
  'settlement/settle-payout': [...STEP, 'ozon', 'alerts'],
  'stock/release-stock': [...STEP, 'ozon', 'alerts', 'resumeWaits'],
  'stock/cancel-posting': [...STEP, 'ozon', 'alerts', 'resumeWaits'],
  'stock/decide-short-stock': [...STEP],
  'stock/cancel-short-lines': [...STEP, 'ozon', 'alerts', 'resumeWaits'],
  'fulfilment/remind-packing': [...STEP, 'alerts'],
  // Writes the failed unit off (table) and tells the seller; Ozon hears the stock through the poller's publishing.
  'quality/quality-check-failed': [...STEP, 'alerts'],
  'quality/remind-quality-check': [...STEP, 'alerts'],
  'delivery/tracking-overdue': [...STEP, 'alerts'],
  'delivery/alert-dispute': [...STEP, 'alerts'],
  'delivery/alert-not-accepted': [...STEP, 'alerts'],
  // Answers a buyer's cancellation request on Ozon (read first), alerts, and may end the posting's wait.
  'aftersale/decide-cancellation-request': [...STEP, 'ozon', 'alerts', 'resumeWaits'],
  // The public push endpoint: the queue and the push token's hash, nothing else.
  'intake/webhook': ['sendPushes'],
  // Alerts: a buyer's message (TYPE_NEW_MESSAGE) is forwarded to the seller.
  'intake/push-processor': [...STEP, 'ozon', 'alerts', 'resumeWaits', 'startExecutions', 'receivePushes'],
  'intake/seller-api': [...STEP, 'ozon', 'resumeWaits', 'startExecutions', 'describeExecutions', 'sellerApi'],
  // Also plans the handover day: a Handover execution per carriage near its cutoff.
  // And starts a ReturnLifecycle execution per return it finds.
  'intake/poller': [...STEP, 'ozon', 'alerts', 'resumeWaits', 'startExecutions', 'startHandovers', 'startReturns'],
  // The ReturnLifecycle workflow's steps: the request answered on Ozon, the unit followed back, the refund reconciled.
  'aftersale/decide-return': [...STEP, 'ozon', 'alerts'],
  'aftersale/follow-return': [...STEP, 'ozon', 'alerts'],
  'aftersale/settle-return': [...STEP, 'ozon', 'alerts'],
  'aftersale/leave-return': [...STEP, 'alerts'],
  // The Handover workflow's steps: the act on Ozon, its documents under labels/, the seller's alerts.
  'handover/create-act': [...STEP, 'ozon'],
  'handover/check-act': [...STEP, 'ozon'],
  // The carriage's labels: printed in one call (the file under labels/ at once) or as label tasks on Ozon, whose
  // files FetchLabels stores under labels/ (a download from Ozon's file link).
  'handover/print-labels': [...STEP, 'ozon', 'labels'],
  'handover/fetch-labels': [...STEP, 'ozon', 'labels'],
  'handover/hand-over-documents': [...STEP, 'ozon', 'labels', 'alerts'],
  'handover/alert-handover-problem': [...STEP, 'alerts'],
  // An hour after the cutoff: one Ozon list of the carriage's parcels that did not leave, each alerted.
  'handover/check-handover': [...STEP, 'ozon', 'alerts'],
  // The label queue's consumer: the packing list under labels/, the units off the shelf, each PackAndLabel resumed.
  // No Ozon access: FBS labels come with the carriage (handover/print-labels).
  'fulfilment/label-batch': [...STEP, 'labels', 'alerts', 'resumeWaits', 'receiveLabelRequests', 'sendLabelRequests'],
} as const satisfies Record<string, readonly Capability[]>;
export type Entry = keyof typeof FUNCTIONS;
export const ENTRIES = (Object.keys(FUNCTIONS) as Entry[]).sort();

/** Entries that use `capability`, sorted. */
export const having = (capability: Capability): Entry[] =>
  ENTRIES.filter((e) => (FUNCTIONS[e] as readonly Capability[]).includes(capability));

/** The ReturnLifecycle machine's steps (the rest of aftersale/ are OrderLifecycle's). */
export const RETURN_ENTRIES: Entry[] = [
  'aftersale/decide-return',
  'aftersale/follow-return',
  'aftersale/leave-return',
  'aftersale/settle-return',
];

export const entryOf = (entry: string) => `functions/${entry}.ts`;

/**
 * Handler files on disk: functions/<area>/<name>.ts that export `handler` (the shared/ folder holds none). Compared
 * with the functions in the template, a handler added without a function, or a function without its file, fails.
 */
export function handlerEntriesOnDisk(): string[] {
  const dir = path.join(ROOT, 'functions');
  const exportsHandler = /^export\s+(?:const\s+handler\b|(?:async\s+)?function\s+handler\b|\{[^}]*\bhandler\b[^}]*\})/m;
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'shared')
    .flatMap((d) =>
      readdirSync(path.join(dir, d.name))
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
        .filter((f) => exportsHandler.test(readFileSync(path.join(dir, d.name, f), 'utf8')))
        .map((f) => `${d.name}/${f.replace(/\.ts$/, '')}`),
    )
    .sort();
}

/** [logical id, entry] of every product function: the Lambda functions with entry metadata, and only those. */
export function productFunctions(resources: Record<string, Json>): [string, string][] {
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.[ENTRY_METADATA] !== undefined)
    .map(([id, r]): [string, string] => [id, String(r.Metadata[ENTRY_METADATA]).replace(/^functions\/|\.ts$/g, '')]);
}

/** Logical id of the AWS::Lambda::Function whose entry metadata is functions/<entry>.ts. */
export function functionLogicalId(resources: Record<string, Json>, entry: string): string {
  const hits = Object.entries(resources).filter(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.[ENTRY_METADATA] === entryOf(entry),
  );
  if (hits.length !== 1) throw new Error(`expected exactly one function for ${entry}, found ${hits.length}`);
  return must(hits[0], entry)[0];
}

/** Logical id of the CloudFormation resource behind the construct at `constructPath` (e.g. `PushToken/Hash`). */
export function logicalIdAt(stack: Stack, constructPath: string): string {
  let c = stack.node.findChild(must(constructPath.split('/')[0], constructPath));
  for (const part of constructPath.split('/').slice(1)) c = c.node.findChild(part);
  const cfn = (c.node.defaultChild ?? c) as CfnElement;
  return stack.resolve(cfn.logicalId);
}

/** An IAM statement with Action and Resource normalized to arrays. */
export interface Statement {
  policy: string;
  effect: string;
  actions: string[];
  resources: Json[];
  raw: Json;
}

export const arr = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

export function statementsOf(policyId: string, policy: Json): Statement[] {
  return arr<Json>(policy.Properties.PolicyDocument.Statement).map((s) => ({
    policy: policyId,
    effect: s.Effect,
    actions: arr<string>(s.Action),
    resources: arr<Json>(s.Resource),
    raw: s,
  }));
}

/** Logical id of the role a function runs with. */
export function roleOf(resources: Record<string, Json>, functionId: string): string {
  const roleId: string | undefined = resources[functionId]?.Properties.Role?.['Fn::GetAtt']?.[0];
  if (!roleId || resources[roleId]?.Type !== 'AWS::IAM::Role')
    throw new Error(`${functionId} has no role in this stack`);
  return roleId;
}

/** Statements of every AWS::IAM::Policy attached to a role, plus the role's inline policies. */
export function statementsOfRole(resources: Record<string, Json>, roleId: string): Statement[] {
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

/** Statements of the role of the given function. */
export function roleStatements(resources: Record<string, Json>, functionId: string): Statement[] {
  return statementsOfRole(resources, roleOf(resources, functionId));
}

/** Every role in the template with its statements. */
export function allRoles(resources: Record<string, Json>): Map<string, Statement[]> {
  return new Map(
    Object.keys(resources)
      .filter((id) => resources[id].Type === 'AWS::IAM::Role')
      .map((id) => [id, statementsOfRole(resources, id)]),
  );
}

/** Allowing statements that grant `action`; a statement with a wildcard action like `s3:Put*` counts if it matches. */
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
