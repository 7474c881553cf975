/**
 * What runs locally is what deploys: the CDK stack is synthesized in-process (bundling skipped) and the
 * template's intrinsics are resolved into the concrete state machine definition, Lambda environments and table.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { ENTRY_METADATA } from '../infra/constructs/autopilot-function';
import { OzonAutopilotStack } from '../infra/stack';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'eu-central-1';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
  Metadata?: Record<string, Json>;
}
interface Template {
  Resources: Record<string, Resource>;
}

export interface LocalFunction {
  logicalId: string;
  arn: string;
  entry: string;
  environment: Record<string, string>;
  /** MB, as deployed (`MemorySize`; Lambda's default 128 when the template leaves it out). */
  memorySize: number;
}

export interface LocalMachine {
  name: string;
  arn: string;
  definition: Record<string, unknown>;
}

export interface ResolvedStack {
  /** OrderLifecycle, the posting's state machine. */
  definition: Record<string, unknown>;
  stateMachineArn: string;
  stateMachineName: string;
  /** Every state machine of the stack, OrderLifecycle first. */
  machines: LocalMachine[];
  functions: LocalFunction[];
  table: { name: string; properties: Record<string, Json> };
  topicName: string;
  bucketName: string;
  /** How many SQS records Lambda hands each function at once, by the function's entry file. */
  eventSources: Record<string, { batchSize: number }>;
}

/** The posting's state machine: what `definition` and `stateMachineArn` describe. */
const LIFECYCLE = 'OrderLifecycle';

const lambdaArn = (id: string) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${id}`;

/** Names the resources the way AWS would (Ref → name or ARN), with the logical id standing in for generated names. */
function refOf(id: string, r: Resource): string {
  const p = r.Properties ?? {};
  switch (r.Type) {
    case 'AWS::DynamoDB::Table':
      return (p.TableName as string) ?? id;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${(p.TopicName as string) ?? id}`;
    case 'AWS::S3::Bucket':
      return ((p.BucketName as string) ?? id).toLowerCase();
    case 'AWS::SecretsManager::Secret':
      return `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${id}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${(p.StateMachineName as string) ?? id}`;
    case 'AWS::Lambda::Function':
      return id;
    default:
      return id;
  }
}

const PSEUDO: Record<string, string> = {
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'OzonAutopilot',
};

export function resolveIntrinsics(value: Json, template: Template): Json {
  const resolve = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(resolve);
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [k] = keys as [string];
      const arg = v[k] as Json;
      switch (k) {
        case 'Ref': {
          const name = arg as string;
          if (name in PSEUDO) return PSEUDO[name] as string;
          const r = template.Resources[name];
          if (!r) throw new Error(`Ref to unknown resource ${name}`);
          return refOf(name, r);
        }
        case 'Fn::GetAtt': {
          const [id, attr] = (Array.isArray(arg) ? arg : String(arg).split('.')) as [string, string];
          const r = template.Resources[id];
          if (!r) throw new Error(`GetAtt on unknown resource ${id}`);
          if (r.Type === 'AWS::Lambda::Function' && attr === 'Arn') return lambdaArn(id);
          if (attr === 'Arn') return refOf(id, r);
          if (attr === 'TopicName') return refOf(id, r).split(':').pop() as string;
          return `${id}.${attr}`;
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, Json[]];
          return parts.map((p) => String(resolve(p))).join(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, Json>];
          return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
            if (name in vars) return String(resolve(vars[name] as Json));
            if (name in PSEUDO) return PSEUDO[name] as string;
            const [id, attr] = name.split('.') as [string, string | undefined];
            return String(resolve(attr ? { 'Fn::GetAtt': [id, attr] } : { Ref: id }));
          });
        }
        case 'Fn::Select': {
          const [index, list] = arg as [number, Json];
          return (resolve(list) as Json[])[Number(index)] as Json;
        }
        case 'Fn::Split': {
          const [sep, text] = arg as [string, Json];
          return String(resolve(text)).split(sep);
        }
      }
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
  };
  return resolve(value);
}

export function synthesizeTemplate(): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new OzonAutopilotStack(app, 'OzonAutopilot', {
    env: { account: LOCAL_ACCOUNT, region: LOCAL_REGION },
  });
  return app.synth().getStackArtifact(stack.artifactId).template as Template;
}

export function resolveStack(template: Template = synthesizeTemplate()): ResolvedStack {
  const byType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  const one = (type: string) => {
    const found = byType(type);
    if (found.length !== 1) throw new Error(`Expected exactly one ${type} in the template, found ${found.length}`);
    return found[0] as [string, Resource];
  };
  const machines = byType('AWS::StepFunctions::StateMachine')
    .map(([id, r]) => ({
      name: refOf(id, r).split(':').pop() as string,
      arn: refOf(id, r),
      definition: JSON.parse(String(resolveIntrinsics(r.Properties?.DefinitionString as Json, template))),
    }))
    .sort((a, b) => Number(b.name === LIFECYCLE) - Number(a.name === LIFECYCLE));
  const lifecycle = machines[0];
  if (lifecycle?.name !== LIFECYCLE) throw new Error(`The template has no ${LIFECYCLE} state machine`);
  const [tableId, table] = one('AWS::DynamoDB::Table');
  const [topicId, topic] = one('AWS::SNS::Topic');
  const [bucketId, bucket] = one('AWS::S3::Bucket');
  const functions = byType('AWS::Lambda::Function').flatMap(([id, r]) => {
    const entry = r.Metadata?.[ENTRY_METADATA];
    if (typeof entry !== 'string') return []; // CDK's own helper functions (custom resources) do not run locally
    const env = resolveIntrinsics((r.Properties?.Environment as { Variables?: Json })?.Variables ?? {}, template);
    const memorySize = Number(r.Properties?.MemorySize ?? 128);
    return [{ logicalId: id, arn: lambdaArn(id), entry, environment: env as Record<string, string>, memorySize }];
  });
  const eventSources = Object.fromEntries(
    byType('AWS::Lambda::EventSourceMapping').flatMap(([, r]) => {
      const p = r.Properties ?? {};
      const target = functions.find((f) => f.logicalId === (p.FunctionName as { Ref?: string })?.Ref);
      if (!target) return [];
      return [[target.entry, { batchSize: Number(p.BatchSize ?? 10) }]];
    }),
  );
  return {
    definition: lifecycle.definition,
    stateMachineArn: lifecycle.arn,
    stateMachineName: lifecycle.name,
    machines,
    eventSources,
    functions,
    table: { name: refOf(tableId, table), properties: table.Properties ?? {} },
    topicName: refOf(topicId, topic).split(':').pop() as string,
    bucketName: refOf(bucketId, bucket),
  };
}

const ROOT = path.resolve(import.meta.dirname, '..');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'ozon-autopilot');

function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) hash.update(full).update(readFileSync(full));
    }
  };
  walk(path.join(ROOT, 'infra'));
  walk(path.join(ROOT, 'workflows'));
  walk(path.join(ROOT, 'local'));
  // The stack takes names and shapes from the functions' code too (the sweep index, the configuration sections).
  walk(path.join(ROOT, 'functions'));
  hash.update(readFileSync(path.join(ROOT, 'package-lock.json')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Synthesis takes seconds; its result only changes with the code it reads. The cache is keyed by a hash of
 * infra/, workflows/, local/, functions/ and the lock file, so an edit there always synthesizes again.
 */
export function resolveStackCached(): ResolvedStack {
  const file = path.join(CACHE_DIR, `stack-${sourceHash()}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ResolvedStack;
  } catch {
    const stack = resolveStack();
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(file, JSON.stringify(stack));
    return stack;
  }
}
