/**
 * The stack's Lambda functions, in this process: each handler module loaded once, observed for the benchmark,
 * and one environment for all of them (in-process functions share one `process.env`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Handler, lambdaContext } from './tasks';
import type { ResolvedStack } from './template';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface Invocation {
  folder: string;
  /** Real milliseconds the handler ran: what Lambda bills as duration. */
  ms: number;
  failed: boolean;
}
const invocationObservers = new Set<(i: Invocation) => void>();
/** Lets the benchmark count and time every Lambda invocation (steps, webhook, seller API, poller). */
export function observeInvocations(observer: (i: Invocation) => void): () => void {
  invocationObservers.add(observer);
  return () => invocationObservers.delete(observer);
}
/** The function whose invocation is running, where the benchmark asks (DynamoDB units and Ozon calls by function). */
const running = new AsyncLocalStorage<string>();
export const runningFunction = (): string | undefined => running.getStore();

function observed(folder: string, handler: Handler): Handler {
  return async (event, context) => {
    if (invocationObservers.size === 0) return handler(event, context);
    const started = performance.now();
    let failed = true;
    try {
      const result = await running.run(folder, () => handler(event, context));
      failed = false;
      return result;
    } finally {
      const invocation = { folder, ms: performance.now() - started, failed };
      for (const observe of invocationObservers) observe(invocation);
    }
  };
}

export interface Functions {
  /** By Lambda ARN, as the state machine's tasks name them. */
  byArn: Map<string, Handler>;
  /** By handler file name (`webhook`, `seller-api`, `poller`...). */
  byFolder: Map<string, Handler>;
  /** Invokes a function by its handler file name, as a Lambda invoke would. */
  invoke(folder: string, event: unknown): Promise<unknown>;
  /** A function the runtime cannot work without. */
  required(folder: string): Handler;
}

export async function loadFunctions(stack: ResolvedStack): Promise<Functions> {
  const byArn = new Map<string, Handler>();
  const byFolder = new Map<string, Handler>();
  for (const fn of stack.functions) {
    const mod = (await import(pathToFileURL(path.join(ROOT, fn.entry)).href)) as { handler: Handler };
    const folder = path.basename(fn.entry, '.ts');
    const handler = observed(folder, mod.handler);
    byArn.set(fn.arn, handler);
    byFolder.set(folder, handler);
  }
  const required = (folder: string) => {
    const handler = byFolder.get(folder);
    if (!handler) throw new Error(`The stack has no ${folder} function`);
    return handler;
  };
  return {
    byArn,
    byFolder,
    required,
    invoke: (folder, event) =>
      required(folder)(event, lambdaContext(`arn:aws:lambda:local:000000000000:function:${folder}`)),
  };
}

/** In-process functions share one process.env: their variables must agree wherever two define the same name. */
export function mergedEnvironment(stack: ResolvedStack): Record<string, string> {
  const env: Record<string, string> = {};
  for (const fn of stack.functions) {
    for (const [k, v] of Object.entries(fn.environment)) {
      if (k === 'NODE_OPTIONS') continue;
      if (k in env && env[k] !== v) throw new Error(`Functions disagree on ${k}: ${env[k]} vs ${v}`);
      env[k] = v;
    }
  }
  return env;
}
