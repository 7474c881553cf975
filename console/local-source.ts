/**
 * The console's source in `npm start`: the runtime's engines hold every execution in memory with its history, its
 * inbox every alert with its text, and (against the sandbox) every Ozon call with its body.
 */
import type { Execution } from '../local/engine';
import { figuresByDay } from '../local/figures';
import { lastState } from '../local/report';
import type { Runtime } from '../local/runtime';
import type { ConsoleSource, ExecutionDetail, ExecutionSummary, Machine, SellerAlert } from './source';

const summaryOf = (machine: Machine, e: Execution): ExecutionSummary => ({
  machine,
  name: e.name,
  arn: e.executionArn,
  status: e.status,
  startDate: e.startDate,
  stopDate: e.stopDate,
  lastState: lastState(e),
  error: e.error,
});

export function localSource(runtime: Runtime): ConsoleSource {
  const engineOf = (machine: Machine) => runtime.engines.get(machine);
  const all = (machine: Machine) => [...(engineOf(machine)?.executions.values() ?? [])];
  const definitions = new Map(runtime.stack.machines.map((m) => [m.name, m.definition]));
  const alertOf = (a: Runtime['alerts'][number]): SellerAlert => ({
    ...a,
    postingNumber: a.postingNumber || undefined,
  });

  return {
    label: runtime.sandbox ? 'local · Ozon sandbox' : 'local · Ozon API',
    sellerApiUrl: runtime.sellerApiUrl,
    now: () => runtime.clock.now(),
    async definition(machine) {
      const definition = definitions.get(machine);
      if (!definition) throw new Error(`The stack has no ${machine} state machine`);
      return definition;
    },
    async executions(machine) {
      return all(machine)
        .map((e) => summaryOf(machine, e))
        .sort((a, b) => b.startDate - a.startDate);
    },
    withLastStates: async (executions) => executions,
    async execution(machine, name) {
      const e = all(machine).find((x) => x.name === name);
      if (!e) return undefined;
      const detail: ExecutionDetail = { ...summaryOf(machine, e), input: JSON.parse(e.input), history: e.history };
      return detail;
    },
    async alerts(postingNumber) {
      return runtime.alerts
        .filter((a) => postingNumber === undefined || a.postingNumber === postingNumber)
        .map(alertOf);
    },
    async ozonCalls(postingNumber) {
      if (!runtime.sandbox) return undefined;
      // The sandbox keeps real ms; the console shows the product's (simulated) time.
      const simNow = runtime.clock.now();
      const realNow = Date.now();
      return runtime.sandbox.calls
        .filter((c) => JSON.stringify(c.body ?? {}).includes(postingNumber))
        .map((c) => ({ at: simNow - (realNow - c.at) * runtime.clock.speed, path: c.path, status: c.status }));
    },
    async figures(days) {
      const started = (machine: Machine) => all(machine).map((e) => ({ name: e.name, at: e.startDate }));
      return figuresByDay(
        {
          postingsStarted: started('OrderLifecycle'),
          returnsStarted: started('ReturnLifecycle'),
          alerts: runtime.alerts,
        },
        days,
      );
    },
    executionLink: () => undefined,
  };
}
