/**
 * cdk-nag's AwsSolutions pack over the whole stack.
 *
 * cdk-nag 3 is no longer an Aspect that writes Annotations: a NagPack is an IPolicyValidationPlugin
 * (`Validations.of(app).addPlugins(new AwsSolutionsChecks(app))`), and findings are acknowledged with
 * `Validations.of(construct).acknowledge({ id, reason })`. For tests its documented entry point is
 * `validateScope(scope)`, which returns the same report and already leaves acknowledged findings out.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AutopilotFunction } from '../../infra/constructs/autopilot-function';
import { makeStack } from './synth';

interface Finding {
  rule: string;
  path: string;
  severity: string;
  message: string;
}

interface Acknowledgement {
  /** Path of the construct the acknowledgement is recorded on. */
  path: string;
  id: string;
  reason: string;
}

type AcknowledgedCheck = (resource: IConstruct, ruleId: string) => boolean;

/**
 * Runs the pack; `used` collects `<construct path> <rule id>` of every acknowledgement that suppressed a finding
 * (cdk-nag asks its private isAcknowledged for each finding and walks up from the resource to the first match).
 */
function nag(scope: Stack, used?: Set<string>): Finding[] {
  const pack = new AwsSolutionsChecks(scope.node.root, { verbose: true });
  if (used) {
    const hook = pack as unknown as { isAcknowledged: AcknowledgedCheck };
    const original = hook.isAcknowledged.bind(pack);
    hook.isAcknowledged = (resource, ruleId) => {
      if (!original(resource, ruleId)) return false;
      for (let c: IConstruct | undefined = resource; c; c = c.node.scope) {
        if (acknowledgementsOn(c).some((a) => a.id === ruleId)) {
          used.add(`${c.node.path} ${ruleId}`);
          break;
        }
      }
      return true;
    };
  }
  const report = pack.validateScope(scope);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => ({
      rule: v.ruleName,
      path: r.constructPath ?? r.resourceLogicalId ?? '?',
      severity: v.severity ?? 'error',
      message: v.description,
    })),
  );
}

function acknowledgementsOn(c: IConstruct): Acknowledgement[] {
  return c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) =>
      Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
        path: c.node.path,
        id: id.replace(/^annotation::/i, ''),
        reason,
      })),
    );
}

let stack: Stack;
let findings: Finding[];
let acknowledged: Acknowledgement[];
const used = new Set<string>();

beforeAll(() => {
  const made = makeStack();
  stack = made.stack;
  made.app.synth();
  findings = nag(stack, used);
  acknowledged = stack.node.findAll().flatMap(acknowledgementsOn);
}, 60_000);

const pathsAcknowledging = (id: string) =>
  acknowledged
    .filter((a) => a.id === id)
    .map((a) => a.path)
    .sort();

describe('AwsSolutions checks', () => {
  it('the harness sees findings and honours acknowledgements', () => {
    const app = new App();
    const harness = new Stack(app, 'NagHarness');
    const bucket = new s3.Bucket(harness, 'Plain', { enforceSSL: true });
    expect(nag(harness).map((f) => f.rule)).toContain('AwsSolutions-S1');
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'harness check' });
    const seen = new Set<string>();
    expect(nag(harness, seen).map((f) => f.rule)).not.toContain('AwsSolutions-S1');
    expect([...seen]).toEqual(['NagHarness/Plain AwsSolutions-S1']);
  });

  // Every finding is either fixed in infra/ or acknowledged with a reason in infra/nag.ts.
  it('has no unsuppressed errors', () => {
    const errors = findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => `${f.rule} on ${f.path}`)).toEqual([]);
  });

  it('raises no warnings', () => {
    expect(findings.filter((f) => f.severity !== 'error')).toEqual([]);
  });

  // Narrowest construct: an acknowledgement that suppresses nothing is on the wrong construct, or stale.
  it('acknowledges only findings that occur, on the construct that raises them', () => {
    expect(acknowledged.length).toBeGreaterThan(0);
    const unused = acknowledged.map((a) => `${a.path} ${a.id}`).filter((a) => !used.has(a));
    expect(unused).toEqual([]);
  });

  it('fixes rather than acknowledges the findings that have a fix', () => {
    const ids = acknowledged.map((a) => a.id);
    for (const fixed of ['AwsSolutions-SF1', 'AwsSolutions-IAM5[Action::']) {
      expect(ids.filter((id) => id.startsWith(fixed))).toEqual([]);
    }
    // Wildcards are acknowledged finding by finding, never as the bare rule, so a new wildcard still fails.
    expect(ids).not.toContain('AwsSolutions-IAM5');
    expect(ids).not.toContain('AwsSolutions-IAM4');
    // A managed policy only on the role CDK's custom resource provider framework makes for itself (when it makes
    // one); the product's functions have their own log-group-scoped roles.
    for (const a of acknowledged.filter((x) => x.id.startsWith('AwsSolutions-IAM4'))) {
      expect(`${a.path} ${a.id}`).toBe(
        'Test/PushToken/Provider/framework-onEvent/ServiceRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      );
    }
  });

  it('acknowledges the runtime on the Node.js 22 functions only: the product functions and the push token hash', () => {
    const nodeFunctions = stack.node
      .findAll()
      .filter((c): c is lambda.Function => c instanceof lambda.Function)
      .filter((fn) => fn.runtime === lambda.Runtime.NODEJS_22_X);
    expect(nodeFunctions.filter((fn) => !(fn instanceof AutopilotFunction)).map((fn) => fn.node.path)).toEqual([
      'Test/PushToken/Hash',
    ]);
    expect(pathsAcknowledging('AwsSolutions-L1')).toEqual(nodeFunctions.map((fn) => fn.node.path).sort());
  });

  it('acknowledges the missing rotation on the three secrets, each with how it is rotated by hand', () => {
    expect(pathsAcknowledging('AwsSolutions-SMG4')).toEqual([
      'Test/OzonCredentials',
      'Test/PushToken/Secret',
      'Test/SellerApiKey',
    ]);
    for (const a of acknowledged.filter((x) => x.id === 'AwsSolutions-SMG4')) {
      expect(a.reason, a.path).toMatch(/put-secret-value/);
    }
  });

  it('acknowledges each wildcard on the policy that grants it', () => {
    const wildcards = acknowledged.filter((a) => a.id.startsWith('AwsSolutions-IAM5['));
    expect(wildcards.length).toBeGreaterThan(0);
    for (const a of wildcards) expect(a.path, a.id).toMatch(/\/DefaultPolicy$/);
    // The seller API's DescribeExecution is the one execution-ARN wildcard.
    expect(wildcards.filter((a) => a.id.includes(':execution:')).map((a) => `${a.path} ${a.id}`)).toEqual([
      'Test/SellerApiFnServiceRole/DefaultPolicy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:eu-central-1:123456789012:execution:OrderLifecycle:*]',
    ]);
  });

  it('gives every acknowledgement a written reason', () => {
    const reasons = acknowledged.map((a) => a.reason);
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason.length).toBeGreaterThan(40);
  });
});
