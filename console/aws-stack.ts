/**
 * A deployed stack as the console needs it: its table, its three state machines and its seller API, found through
 * CloudFormation (the resources' physical ids and the SellerApiUrl output) with the operator's credentials.
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  paginateListStackResources,
} from '@aws-sdk/client-cloudformation';
import { resetClients } from '#shared/clients';
import { MACHINES, type Machine } from './source';

export interface DeployedStack {
  name: string;
  region: string;
  tableName: string;
  machines: Record<Machine, string>;
  sellerApiUrl: string;
}

interface StackResource {
  ResourceType?: string;
  PhysicalResourceId?: string;
}

/** The stack's table, state machines (named by their ids: infra/stack.ts) and seller API URL (its output). */
export function deployedStackOf(
  name: string,
  region: string,
  outputs: { OutputKey?: string; OutputValue?: string }[],
  resources: StackResource[],
): DeployedStack {
  const physical = (type: string) =>
    resources.filter((r) => r.ResourceType === type).map((r) => r.PhysicalResourceId ?? '');
  const [tableName, ...moreTables] = physical('AWS::DynamoDB::Table');
  if (!tableName || moreTables.length) throw new Error(`Stack ${name}: expected one DynamoDB table`);
  const arns = physical('AWS::StepFunctions::StateMachine');
  const machines = Object.fromEntries(
    MACHINES.map((m) => {
      const arn = arns.find((a) => a.split(':').pop() === m);
      if (!arn) throw new Error(`Stack ${name} has no ${m} state machine`);
      return [m, arn];
    }),
  ) as Record<Machine, string>;
  const sellerApiUrl = outputs.find((o) => o.OutputKey === 'SellerApiUrl')?.OutputValue;
  if (!sellerApiUrl) throw new Error(`Stack ${name} has no SellerApiUrl output`);
  return { name, region, tableName, machines, sellerApiUrl: sellerApiUrl.replace(/\/$/, '') };
}

export async function findStack(name: string, region: string): Promise<DeployedStack> {
  const cfn = new CloudFormationClient({ region });
  try {
    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: name }));
    const resources: StackResource[] = [];
    for await (const page of paginateListStackResources({ client: cfn }, { StackName: name })) {
      resources.push(...(page.StackResourceSummaries ?? []));
    }
    return deployedStackOf(name, region, Stacks[0]?.Outputs ?? [], resources);
  } finally {
    cfn.destroy();
  }
}

/** Points the product's stores at the stack's table (they read TABLE_NAME, shared/config.ts). */
export function useTable(tableName: string): void {
  if (process.env.TABLE_NAME === tableName) return;
  process.env.TABLE_NAME = tableName;
  resetClients();
}
