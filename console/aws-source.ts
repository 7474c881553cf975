/**
 * The console's source against a deployed stack, with the operator's own AWS credentials: the stack (aws-stack.ts)
 * names the table, the state machines and the seller API; executions and their histories come from Step Functions,
 * the records from the table through the product's own stores (they read TABLE_NAME, which `useTable` sets).
 * Nothing runs in AWS for it. The SDK clients honour AWS_ENDPOINT_URL_<SERVICE>, which is how the tests point this
 * source at the local runtime's Step Functions API and DynamoDB Local.
 */
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  paginateGetExecutionHistory,
  paginateListExecutions,
  SFNClient,
} from '@aws-sdk/client-sfn';
import pLimit from 'p-limit';
import { listEvents } from '#shared/event-store';
import { ordersOf } from '#shared/order-store';
import { figuresByDay } from '../local/figures';
import { type DeployedStack, useTable } from './aws-stack';
import {
  awsExecutionLink,
  type ConsoleSource,
  type ExecutionDetail,
  type ExecutionSummary,
  type HistoryStep,
  type Machine,
  postingOfExecution,
  type SellerAlert,
} from './source';

/**
 * How long a list of executions (and the alerts read from every order) is reused: every open page asks every 2 s,
 * and a deployed stack keeps executions for 90 days, a ListExecutions page per 1,000.
 */
const LIST_TTL_MS = 10_000;

const stateOf = (e: HistoryEvent) => e.stateEnteredEventDetails?.name;
const failureOf = (e: HistoryEvent) =>
  e.executionFailedEventDetails ??
  e.taskFailedEventDetails ??
  e.lambdaFunctionFailedEventDetails ??
  e.executionTimedOutEventDetails ??
  e.executionAbortedEventDetails;

export function awsSource(stack: DeployedStack): ConsoleSource {
  useTable(stack.tableName);
  const sfn = new SFNClient({ region: stack.region });
  const limit = pLimit(8);
  const definitions = new Map<Machine, Promise<Record<string, unknown>>>();
  const lists = new Map<Machine, { at: number; list: Promise<ExecutionSummary[]> }>();
  let allAlerts: { at: number; alerts: Promise<SellerAlert[]> } | undefined;
  /** An ended execution never changes: read once. A running one is read again after LIST_TTL_MS. */
  const details = new Map<string, { at: number; detail: ExecutionDetail }>();
  /** An ended execution's last state never changes; a running one's is asked again after LIST_TTL_MS. */
  const lastStates = new Map<string, { at: number; state: string | undefined; final: boolean }>();
  const arnOf = (machine: Machine, name: string) =>
    `${stack.machines[machine].replace(':stateMachine:', ':execution:')}:${name}`;

  const list = async (machine: Machine): Promise<ExecutionSummary[]> => {
    const found: ExecutionSummary[] = [];
    for await (const page of paginateListExecutions(
      { client: sfn, pageSize: 1000 },
      { stateMachineArn: stack.machines[machine] },
    )) {
      for (const e of page.executions ?? []) {
        found.push({
          machine,
          name: e.name ?? '',
          arn: e.executionArn ?? '',
          status: e.status ?? 'RUNNING',
          startDate: e.startDate?.getTime() ?? 0,
          stopDate: e.stopDate?.getTime(),
        });
      }
    }
    return found.sort((a, b) => b.startDate - a.startDate);
  };

  const lastStateOf = async (e: ExecutionSummary): Promise<string | undefined> => {
    const known = lastStates.get(e.arn);
    if (known && (known.final || Date.now() - known.at < LIST_TTL_MS)) return known.state;
    const { events = [] } = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: e.arn, reverseOrder: true, maxResults: 50 }),
    );
    const entered = events.filter(stateOf).sort((a, b) => (b.id ?? 0) - (a.id ?? 0))[0];
    const state = entered ? stateOf(entered) : undefined;
    lastStates.set(e.arn, { at: Date.now(), state, final: e.status !== 'RUNNING' });
    return state;
  };

  /** Every posting's order keeps when each kind of alert was last sent: enough for Today and the figures. */
  const alertsOfOrders = async () => {
    const postings = [...new Set((await source.executions('OrderLifecycle')).map((e) => postingOfExecution(e.name)))];
    return (await ordersOf(postings))
      .flatMap((o) =>
        o.alerts.map((a): SellerAlert => ({ at: Date.parse(a.at), kind: a.kind, postingNumber: o.postingNumber })),
      )
      .sort((a, b) => a.at - b.at);
  };

  const source: ConsoleSource = {
    label: `stack ${stack.name} (${stack.region})`,
    sellerApiUrl: stack.sellerApiUrl,
    now: () => Date.now(),
    definition(machine) {
      let definition = definitions.get(machine);
      if (!definition) {
        definition = sfn
          .send(new DescribeStateMachineCommand({ stateMachineArn: stack.machines[machine] }))
          .then((d) => JSON.parse(d.definition ?? '{}') as Record<string, unknown>);
        definitions.set(machine, definition);
      }
      return definition;
    },
    executions(machine) {
      const cached = lists.get(machine);
      if (cached && Date.now() - cached.at < LIST_TTL_MS) return cached.list;
      const fresh = { at: Date.now(), list: list(machine) };
      fresh.list.catch(() => lists.delete(machine));
      lists.set(machine, fresh);
      return fresh.list;
    },
    async withLastStates(executions) {
      return Promise.all(
        executions.map((e) =>
          e.lastState !== undefined ? e : limit(async () => ({ ...e, lastState: await lastStateOf(e) })),
        ),
      );
    },
    async execution(machine, name) {
      const executionArn = arnOf(machine, name);
      const known = details.get(executionArn);
      if (known && (known.detail.status !== 'RUNNING' || Date.now() - known.at < LIST_TTL_MS)) return known.detail;
      try {
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        const history: HistoryStep[] = [];
        for await (const page of paginateGetExecutionHistory({ client: sfn }, { executionArn })) {
          for (const e of page.events ?? []) {
            const failure = failureOf(e);
            history.push({
              at: e.timestamp?.getTime() ?? 0,
              type: e.type ?? '',
              state: stateOf(e),
              ...(failure?.error ? { error: failure.error } : {}),
              ...(failure?.cause ? { cause: failure.cause } : {}),
            });
          }
        }
        const detail: ExecutionDetail = {
          machine,
          name,
          arn: executionArn,
          status: d.status ?? 'RUNNING',
          startDate: d.startDate?.getTime() ?? 0,
          stopDate: d.stopDate?.getTime(),
          error: d.error,
          lastState: history.findLast((h) => h.type === 'StateEntered')?.state,
          input: JSON.parse(d.input ?? '{}'),
          history,
        };
        details.set(executionArn, { at: Date.now(), detail });
        return detail;
      } catch (error) {
        if (error instanceof ExecutionDoesNotExist || (error as Error).name === 'ExecutionDoesNotExist')
          return undefined;
        throw error;
      }
    },
    async alerts(postingNumber) {
      if (postingNumber !== undefined) {
        return (await listEvents(postingNumber))
          .filter((e) => e.type === 'alert')
          .map((e) => ({ at: Date.parse(e.at), kind: e.kind ?? '', severity: e.severity, postingNumber }));
      }
      if (allAlerts && Date.now() - allAlerts.at < LIST_TTL_MS) return allAlerts.alerts;
      allAlerts = { at: Date.now(), alerts: alertsOfOrders() };
      return allAlerts.alerts;
    },
    ozonCalls: async () => undefined,
    async figures(days) {
      const started = async (machine: Machine) =>
        (await source.executions(machine)).map((e) => ({ name: e.name, at: e.startDate }));
      return figuresByDay(
        {
          postingsStarted: await started('OrderLifecycle'),
          returnsStarted: await started('ReturnLifecycle'),
          alerts: await source.alerts(),
        },
        days,
      );
    },
    executionLink: (arn) => awsExecutionLink(stack.region, arn),
  };
  return source;
}
