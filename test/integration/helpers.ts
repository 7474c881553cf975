import type { Execution } from '../../local/engine';
import { statesEntered } from '../../local/report';
import type { Runtime } from '../../local/runtime';

/** Waits (real time) until the posting's execution has ended; fails with its history if it does not. */
export async function waitForExecution(rt: Runtime, postingNumber: string, timeoutMs = 45_000): Promise<Execution> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const execution = [...rt.engine.executions.values()].find((e) => e.name === postingNumber);
    if (execution && execution.status !== 'RUNNING') {
      await execution.done;
      // Alerts reach the seller's inbox through SNS → SQS; give the last one time to arrive.
      await new Promise((r) => setTimeout(r, 300));
      return execution;
    }
    if (Date.now() > deadline) {
      const states = execution && statesEntered(execution);
      throw new Error(
        `${postingNumber} did not finish in ${timeoutMs} ms; states: ${states?.join(' > ') ?? 'not started'}`,
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

export { statesEntered };

/** The Ozon calls the sandbox received that concern one posting. */
export function ozonCallsFor(rt: Runtime, postingNumber: string) {
  return (rt.sandbox?.calls ?? []).filter((c) => JSON.stringify(c.body).includes(postingNumber));
}

/**
 * Label calls naming this posting that no carriage's act came before: FBS labels come only with the carriage (its
 * Handover makes the act, then prints), never from packing. On a busy machine a posting may still be in its
 * carriage when the Handover prints it, and that call names it too: it is not one of these.
 */
export function labelCallsOutsideCarriage(rt: Runtime, postingNumber: string) {
  const firstAct = (rt.sandbox?.calls ?? []).find((c) => c.path === '/v2/posting/fbs/act/create')?.at ?? Infinity;
  return ozonCallsFor(rt, postingNumber).filter(
    (c) => c.path.startsWith('/v2/posting/fbs/package-label') && c.at < firstAct,
  );
}

/**
 * Waits (real time) until the posting's execution has entered `state` — for paths that stop in a wait, such as
 * NeedsAttention, where the execution stays RUNNING until the seller resumes it.
 */
export async function waitForState(
  rt: Runtime,
  postingNumber: string,
  state: string,
  timeoutMs = 45_000,
): Promise<Execution> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const execution = [...rt.engine.executions.values()].find((e) => e.name === postingNumber);
    if (execution && statesEntered(execution).includes(state)) {
      // Alerts reach the seller's inbox through SNS → SQS; give the last one time to arrive.
      await new Promise((r) => setTimeout(r, 300));
      return execution;
    }
    if (Date.now() > deadline) {
      const states = execution && statesEntered(execution);
      throw new Error(`${postingNumber} did not reach ${state} in ${timeoutMs} ms; states: ${states?.join(' > ')}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A wait that timed out and looked again (PackAndLabel without Ozon's word on the assembly → ConfirmPosting,
 * AwaitDelivery → CheckTracking) folded away.
 */
export function withoutRechecks(states: string[]): string[] {
  const folded: string[] = [];
  for (const state of states) {
    const recheck =
      (state === 'ConfirmPosting' && folded.at(-1) === 'PackAndLabel') ||
      (state === 'CheckTracking' && folded.at(-1) === 'AwaitDelivery');
    if (recheck) continue;
    // The wait entered again after its re-check is the same wait.
    if ((state === 'PackAndLabel' || state === 'AwaitDelivery') && folded.at(-1) === state) continue;
    folded.push(state);
  }
  return folded;
}

/** Waits (real time) for an alert of this kind about this posting to reach the seller's inbox. */
export async function waitForAlert(rt: Runtime, postingNumber: string, kind: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alert = rt.alerts.find((a) => a.postingNumber === postingNumber && a.kind === kind);
    if (alert) return alert;
    if (Date.now() > deadline) throw new Error(`no ${kind} alert for ${postingNumber} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits (real time) until `find` gives something: an alert, an ended execution; fails after `timeoutMs`. */
export async function until<T>(find: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What the seller wrote to a posting's buyer in Ozon's chat (the sandbox's chats), oldest first. */
export function buyerToldIn(rt: Runtime, postingNumber: string): string[] {
  return (rt.sandbox?.chats() ?? [])
    .filter((c) => c.posting_number === postingNumber)
    .flatMap((c) => c.messages.filter((m) => m.author === 'seller').map((m) => m.text));
}
