/**
 * cdk-nag AwsSolutions findings this stack keeps on purpose, each with the reason, recorded with
 * `Validations.of(construct).acknowledge` on the narrowest construct that carries it. Findings worth fixing are
 * fixed where the resource is made (own log-group-scoped Lambda roles, s3:PutObject only, state machine logging at
 * ALL); test/infra/nag.test.ts fails on any finding not fixed or acknowledged here.
 *
 * Wildcard findings are acknowledged by their exact finding id (`AwsSolutions-IAM5[Resource::…]`), never by the
 * bare rule, so a new wildcard on the same role still fails the test.
 */
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';

const XRAY_REASON =
  'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so CDK grants them on *.';

/** The `<LogicalId.Arn>` form cdk-nag uses for a resource's ARN in a finding. */
function arnToken(construct: IConstruct): string {
  const cfn = (construct.node.defaultChild ?? construct) as CfnElement;
  return `<${Stack.of(construct).resolve(cfn.logicalId)}.Arn>`;
}

export function acknowledgeNagFindings(stack: Stack): void {
  const all = stack.node.findAll();
  const functions = all.filter((c): c is lambda.Function => c instanceof lambda.Function);
  const tables = all.filter((c): c is dynamodb.Table => c instanceof dynamodb.Table);

  for (const fn of functions) {
    const acks = [
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 on purpose: the bundles target node22 and the local runtime and CI run Node 22, so what is tested is what runs. Moving to a newer runtime is a deliberate upgrade of all three together.',
      },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: XRAY_REASON },
      ...tables.map((table) => ({
        id: `AwsSolutions-IAM5[Resource::${arnToken(table)}/index/*]`,
        reason:
          "grantReadWriteData covers the table's indexes as <table>/index/*; the only index is byPhase, which the poller and the deadline checks query.",
      })),
    ];
    // The environment is a lazy value until resolved: CDK adds variables after construction.
    const env = stack.resolve((fn.node.defaultChild as lambda.CfnFunction).environment) as
      | { variables?: Record<string, unknown> }
      | undefined;
    if (env?.variables && 'LABELS_BUCKET' in env.variables) {
      for (const bucket of all.filter((c): c is s3.Bucket => c instanceof s3.Bucket)) {
        acks.push({
          id: `AwsSolutions-IAM5[Resource::${arnToken(bucket)}/labels/*]`,
          reason:
            'Labels are written under labels/<posting number>.pdf, one object per posting: the key is not known at deploy time, so the grant is the labels/ prefix, PutObject only.',
        });
      }
    }
    // On the function: its role lives beside it, so the role and its default policy are acknowledged through it.
    Validations.of(fn).acknowledge(...acks);
    if (fn.role) Validations.of(fn.role).acknowledge(...acks);
  }

  for (const machine of all.filter((c): c is sfn.StateMachine => c instanceof sfn.StateMachine)) {
    Validations.of(machine).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `${XRAY_REASON} CloudWatch Logs delivery for Step Functions (logs:CreateLogDelivery and related) also requires *.`,
      },
      ...functions.map((fn) => ({
        id: `AwsSolutions-IAM5[Resource::${arnToken(fn)}:*]`,
        reason:
          'CDK grants lambda:InvokeFunction on the function and its versions and aliases (<arn>:*) for LambdaInvoke tasks; every version belongs to this one function.',
      })),
    );
  }

  // EventBridge Scheduler's role for the poller's schedule: invoke on the poller and its versions, as above.
  for (const role of all.filter((c): c is iam.Role => c instanceof iam.Role)) {
    if (!role.node.id.startsWith('SchedulerRoleForTarget')) continue;
    Validations.of(role).acknowledge(
      ...functions.map((fn) => ({
        id: `AwsSolutions-IAM5[Resource::${arnToken(fn)}:*]`,
        reason: 'Scheduler may invoke the poller and its versions (<arn>:*); CDK generates this grant for the target.',
      })),
    );
  }

  for (const bucket of all.filter((c): c is s3.Bucket => c instanceof s3.Bucket)) {
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Labels are short-lived PDFs (90-day expiry) written by one function and read by the seller; S3 server access logs would need a second bucket and add no audit value that CloudTrail data events cannot give when wanted.',
    });
  }

  for (const secret of all.filter((c): c is secretsmanager.Secret => c instanceof secretsmanager.Secret)) {
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Ozon API keys are issued by the seller in the Ozon seller cabinet; Ozon has no API to create a new key, so a rotation Lambda could not rotate it. The README tells the seller how to replace it (no redeploy needed).',
    });
  }
}
