/**
 * cdk-nag's AwsSolutions pack over the whole stack.
 *
 * cdk-nag 3 is no longer an Aspect that writes Annotations: a NagPack is an IPolicyValidationPlugin
 * (`Validations.of(app).addPlugins(new AwsSolutionsChecks(app))`), and findings are acknowledged with
 * `Validations.of(construct).acknowledge({ id, reason })`. For tests its documented entry point is
 * `validateScope(scope)`, which returns the same report and already leaves acknowledged findings out.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeStack } from './synth';

interface Finding {
  rule: string;
  path: string;
  severity: string;
  message: string;
}

function nag(scope: Stack): Finding[] {
  const report = new AwsSolutionsChecks(scope.node.root, { verbose: true }).validateScope(scope);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => ({
      rule: v.ruleName,
      path: r.constructPath ?? r.resourceLogicalId ?? '?',
      severity: v.severity ?? 'error',
      message: v.description,
    })),
  );
}

let findings: Finding[];

beforeAll(() => {
  const { app, stack } = makeStack();
  app.synth();
  findings = nag(stack);
}, 60_000);

describe('AwsSolutions checks', () => {
  it('the harness sees findings and honours acknowledgements', () => {
    const app = new App();
    const stack = new Stack(app, 'NagHarness');
    const bucket = new s3.Bucket(stack, 'Plain', { enforceSSL: true });
    expect(nag(stack).map((f) => f.rule)).toContain('AwsSolutions-S1');
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'harness check' });
    expect(nag(stack).map((f) => f.rule)).not.toContain('AwsSolutions-S1');
  });

  // Every finding is either fixed in infra/ or acknowledged with a reason in infra/nag.ts.
  it('has no unsuppressed errors', () => {
    const errors = findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => `${f.rule} on ${f.path}`)).toEqual([]);
  });

  it('raises no warnings', () => {
    expect(findings.filter((f) => f.severity !== 'error')).toEqual([]);
  });

  it('fixes rather than acknowledges the findings that have a fix', () => {
    const { stack } = makeStack();
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.keys(m.data as Record<string, string>).map((id) => id.replace(/^annotation::/i, '')));
    for (const fixed of ['AwsSolutions-IAM4', 'AwsSolutions-SF1', 'AwsSolutions-IAM5[Action::s3:Abort*]']) {
      expect(acknowledged.filter((id) => id.startsWith(fixed))).toEqual([]);
    }
    // Wildcards are acknowledged finding by finding, never as the bare rule, so a new wildcard still fails.
    expect(acknowledged).not.toContain('AwsSolutions-IAM5');
  });

  it('gives every acknowledgement a written reason', () => {
    const { stack } = makeStack();
    const reasons = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.values(m.data as Record<string, string>));
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason.length).toBeGreaterThan(40);
  });
});
