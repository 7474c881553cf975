/**
 * The product's Lambda defaults in one place: Node.js 22 on arm64, esbuild-bundled and minified, X-Ray tracing,
 * a log group with retention and a role that may write only to it. The handler's entry is recorded as metadata so
 * the local runtime can run the same function in-process.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export const ENTRY_METADATA = 'ozon-autopilot:entry';
const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface AutopilotFunctionProps {
  /** The handler's file under functions/ without `.ts`, named like its state: `stock/reserve-stock`. */
  entry: string;
  description: string;
  environment: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
}

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
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'ozon-autopilot',
        ...props.environment,
      },
      logGroup,
      bundling: {
        minify: true,
        sourceMap: true,
        target: 'node22',
        format: OutputFormat.CJS,
        // The Node.js 22 runtime ships AWS SDK v3; bundling it again would only grow the cold start.
        externalModules: ['@aws-sdk/*'],
      },
    });
    (this.node.defaultChild as lambda.CfnFunction).addMetadata(ENTRY_METADATA, entry);
  }
}
