/**
 * The push URL's secret token. Ozon's cabinet shows the push URL, so the token is a password only against
 * strangers; the webhook — a public URL — must still never be able to read a secret. It gets the token's SHA-256
 * instead (not a secret: the token is 40 random characters), computed at deploy by a small custom resource that
 * alone may read the secret, and compares hashes in constant time.
 */
import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

const HASH_CODE = `
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
const { createHash } = require('node:crypto');
exports.handler = async (event) => {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const { SecretString } = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: event.ResourceProperties.SecretId }),
  );
  const token = JSON.parse(SecretString).webhookToken;
  return { PhysicalResourceId: 'push-token-sha256', Data: { Sha256: createHash('sha256').update(token).digest('hex') } };
};`;

export interface PushTokenProps {
  /** Raise it (`cdk deploy -c pushTokenGeneration=<n>`) after rotating the token, so the hash is computed again. */
  generation?: string;
}

export class PushToken extends Construct {
  readonly secret: secretsmanager.Secret;
  /** Hex SHA-256 of the token, for the webhook's environment. */
  readonly sha256: string;

  constructor(scope: Construct, id: string, props: PushTokenProps = {}) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'Ozon push URL token: {"webhookToken"}; the push URL is <WebhookUrl><webhookToken>',
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'webhookToken',
        excludePunctuation: true,
        passwordLength: 40,
      },
    });
    const role = new iam.Role(this, 'HashRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const logGroup = new logs.LogGroup(this, 'HashLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    logGroup.grantWrite(role);
    this.secret.grantRead(role);
    const hashFn = new lambda.Function(this, 'Hash', {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(HASH_CODE),
      role,
      logGroup,
      timeout: Duration.seconds(30),
      description: "Computes the push token's SHA-256 for the webhook at deploy",
    });
    // The framework's own role and log group: no managed policy, logs that expire.
    const frameworkRole = new iam.Role(this, 'ProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const frameworkLogs = new logs.LogGroup(this, 'ProviderLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    frameworkLogs.grantWrite(frameworkRole);
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: hashFn,
      frameworkOnEventRole: frameworkRole,
      logGroup: frameworkLogs,
    });
    const resource = new CustomResource(this, 'Sha256', {
      serviceToken: provider.serviceToken,
      // CloudFormation runs the hash again only when a property changes: the generation is that property.
      properties: { SecretId: this.secret.secretArn, Generation: props.generation ?? '1' },
    });
    this.sha256 = resource.getAttString('Sha256');
  }
}
