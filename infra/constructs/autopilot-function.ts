/**
 * The product's Lambda defaults in one place: Node.js 22 on arm64, esbuild-bundled and minified, X-Ray tracing,
 * a log group with retention and a role that may write only to it. The handler's entry is recorded as metadata so
 * the local runtime can run the same function in-process.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { Section, SectionConfig } from '#shared/config';

export const ENTRY_METADATA = 'ozon-autopilot:entry';

/** How every function is bundled; the benchmark measures bundle sizes with the same options. */
export const BUNDLING = {
  minify: true,
  sourceMap: true,
  // The map's mappings are what a stack trace needs; the sources themselves (the SDK-free bundle's every module)
  // made it four times larger, and Node reads the whole map at module load with --enable-source-maps.
  sourcesContent: false,
  target: 'node22',
  format: OutputFormat.CJS,
  // Error class names are the state machine's Retry/Catch contract: minification must not rename them.
  keepNames: true,
  // The Node.js 22 runtime ships AWS SDK v3; bundling it again would only grow the cold start.
  externalModules: ['@aws-sdk/*'],
  // The alerts' Russian and Chinese texts as UTF-8, not \uXXXX escapes: 2-3 bytes a letter instead of 6 (the
  // templates were a third of every alerting bundle). Passed as an esbuild argument: this CDK version declares
  // `charset` but does not hand it to esbuild.
  esbuildArgs: { '--charset': 'utf8' },
} satisfies BundlingOptions;
const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface AutopilotFunctionProps {
  /** The handler's file under functions/ without `.ts`, named like its state: `stock/reserve-stock`. */
  entry: string;
  description: string;
  timeout?: Duration;
  memorySize?: number;
}

/** The DynamoDB actions the product's code calls; no Scan, DeleteItem or BatchWriteItem anywhere. */
export const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:ConditionCheckItem',
];

/** A variable of a configuration section (functions/shared/config.ts): a binding cannot set a name nobody reads. */
type Var<S extends Section> = keyof SectionConfig<S> & string;

export class AutopilotFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: AutopilotFunctionProps) {
    const entry = path.join('functions', `${props.entry}.ts`);
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An own role instead of AWSLambdaBasicExecutionRole, whose logs:* on every log group in the account is more
    // than a function needs: this one may write to its own log group and nothing else.
    const role = new iam.Role(scope, `${id}ServiceRole`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (${props.entry})`,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      role,
      entry: path.join(ROOT, entry),
      projectRoot: ROOT,
      depsLockFilePath: path.join(ROOT, 'package-lock.json'),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      // Above the Ozon client's worst case (48 s of attempts and backoff, plus waiting for the rate budget).
      timeout: props.timeout ?? Duration.seconds(60),
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'ozon-autopilot',
        POWERTOOLS_METRICS_NAMESPACE: 'OzonAutopilot',
      },
      logGroup,
      bundling: BUNDLING,
    });
    (this.node.defaultChild as lambda.CfnFunction).addMetadata(ENTRY_METADATA, entry);
  }

  /** Sets one configuration variable; the name is checked against the section that reads it. */
  setVar<S extends Section>(_section: S, name: Var<S>, value: string): this {
    this.addEnvironment(name, value);
    return this;
  }

  /** The table: its name, and exactly the actions the code uses, on the table and its index. */
  bindTable(table: dynamodb.ITable): this {
    this.addToRolePolicy(
      new iam.PolicyStatement({ actions: TABLE_ACTIONS, resources: [table.tableArn, `${table.tableArn}/index/*`] }),
    );
    return this.setVar('table', 'TABLE_NAME', table.tableName);
  }

  /** Publishing the seller's alerts, in their language, with console links for the region. */
  bindAlerts(topic: sns.ITopic, language: string): this {
    topic.grantPublish(this);
    return this.setVar('alerts', 'ALERTS_TOPIC_ARN', topic.topicArn)
      .setVar('alerts', 'SELLER_LANGUAGE', language)
      .setVar('alerts', 'CONSOLE_REGION', Stack.of(this).region);
  }

  /** Calling Ozon: the API key's secret (read only). The account's rate budget lives in the table. */
  bindOzon(secret: secretsmanager.ISecret): this {
    secret.grantRead(this);
    return this.setVar('ozon', 'OZON_SECRET_ARN', secret.secretArn);
  }

  /** Starting executions, resolving waits or reading an execution's status, on the one state machine. */
  bindWorkflow(stateMachineArn: string, actions: ('StartExecution' | 'SendTaskOutcome' | 'DescribeExecution')[]): this {
    const iamActions = actions.flatMap((a) =>
      a === 'SendTaskOutcome' ? ['states:SendTaskSuccess', 'states:SendTaskFailure'] : [`states:${a}`],
    );
    const onMachine = iamActions.filter((a) => a !== 'states:DescribeExecution');
    if (onMachine.length) {
      this.addToRolePolicy(new iam.PolicyStatement({ actions: onMachine, resources: [stateMachineArn] }));
    }
    if (actions.includes('DescribeExecution')) {
      // Executions have their own ARN form: arn:...:execution:<machine>:<name>.
      const executions = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:*`;
      this.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }));
    }
    return actions.includes('StartExecution') ? this.setVar('workflow', 'STATE_MACHINE_ARN', stateMachineArn) : this;
  }

  /** Starting Handover executions (the poller's handover planning), on that state machine only. */
  bindHandover(stateMachineArn: string): this {
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }));
    return this.setVar('handover', 'HANDOVER_MACHINE_ARN', stateMachineArn);
  }

  /** Starting ReturnLifecycle executions (the poller finds the returns). */
  bindReturns(stateMachineArn: string): this {
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }));
    return this.setVar('returns', 'RETURN_MACHINE_ARN', stateMachineArn);
  }

  /**
   * Writing label PDFs and packing lists under labels/, and reading them back — GetObject is what the seller's
   * download links are signed with. PutObject and GetObject alone (grantReadWrite would add Abort*, legal hold,
   * retention, tagging, and List on the bucket).
   */
  bindLabels(bucket: s3.IBucket): this {
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [bucket.arnForObjects('labels/*')],
      }),
    );
    return this.setVar('labels', 'LABELS_BUCKET', bucket.bucketName);
  }

  /** The seller's exception-path knobs; unset ones take the defaults in functions/shared/config.ts. */
  bindPolicy(settings: Partial<Record<Var<'policy'>, string>>): this {
    for (const [name, value] of Object.entries(settings)) this.setVar('policy', name as Var<'policy'>, value as string);
    return this;
  }
}
