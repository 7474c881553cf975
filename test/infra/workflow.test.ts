/**
 * The OrderLifecycle definition as deployed: resolved from the synthesized template, validated as ASL and checked
 * for the workflow's contracts (state names, task-token waits, cancellation, error names, path length).
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import * as errorClasses from '#shared/errors';
import * as workflowErrors from '../../workflows/errors';
import { ENV, type Json, must, synth } from './synth';

const require = createRequire(import.meta.url);
// asl-validator 4 ships no type definitions; this is the shape its README documents.
const aslValidator = require('asl-validator') as (
  definition: unknown,
  opts?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errors: { message: string }[]; errorsText: (sep?: string) => string };

const fakeLambdaArn = (logicalId: string) => `arn:aws:lambda:${ENV.region}:${ENV.account}:function:${logicalId}`;
const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': ENV.region,
  'AWS::AccountId': ENV.account,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Turns the DefinitionString's Fn::Join into the JSON Step Functions will see, with fake ARNs for the functions. */
function resolveDefinition(definitionString: Json, resources: Record<string, Json>): string {
  if (typeof definitionString === 'string') return definitionString;
  const [sep, parts] = definitionString['Fn::Join'] as [string, Json[]];
  return parts
    .map((p) => {
      if (typeof p === 'string') return p;
      if (p['Fn::GetAtt']) {
        const [id, attr] = p['Fn::GetAtt'];
        if (attr !== 'Arn' || resources[id]?.Type !== 'AWS::Lambda::Function')
          throw new Error(`unexpected ${JSON.stringify(p)}`);
        return fakeLambdaArn(id);
      }
      if (p.Ref && PSEUDO[p.Ref]) return PSEUDO[p.Ref];
      throw new Error(`unexpected token in DefinitionString: ${JSON.stringify(p)}`);
    })
    .join(sep);
}

const STATE_NAMES = [
  'ReceivePosting',
  'ReserveStock',
  'ConfirmPosting',
  'PackAndLabel',
  'RegisterShipment',
  'AwaitTrackingNumber',
  'SetTrackingNumber',
  'AwaitDelivery',
  'CheckTracking',
  'AwaitPayout',
  'SettlePayout',
  'Completed',
  'ReleaseStock',
  'CancelPosting',
  'Cancelled',
  'AwaitRestock',
  'DecideShortStock',
  'ShortStockDecision',
  'CancelShortLines',
  'JoinLifecycle',
  'CancellationConfirmed',
  'NeedsAttention',
  'AwaitPackedConfirmation',
  'RemindPacking',
  'TrackingOverdue',
  'AlertDispute',
  'AwaitDisputeResolution',
  'AlertNotAccepted',
  // Issue 11: Ozon's approval, marking codes and box count, a split, an aggregator's carrier registration.
  'AwaitApproval',
  'PrepareAssembly',
  'AwaitMarkingCodes',
  'ShipInPackages',
  'Split',
  'AwaitCarrierRegistration',
  // Issue 13: a buyer's cancellation request, answered before Ozon's deadline.
  'DecideCancellationRequest',
  'AwaitCancellationDecision',
  // Issue 14: the warehouse's quality check before Ozon is asked to assemble.
  'AwaitQualityCheck',
  'RemindQualityCheck',
  'QualityCheckFailed',
];
/** The one Fail: a posting number Ozon does not know has nothing to follow or resume. */
const FAIL_ENDINGS = ['UnknownPosting'];
const WAITS = [
  'AwaitRestock',
  'AwaitPackedConfirmation',
  'AwaitTrackingNumber',
  'AwaitDelivery',
  'AwaitDisputeResolution',
  'AwaitPayout',
  'NeedsAttention',
  'AwaitApproval',
  'AwaitMarkingCodes',
  'AwaitCarrierRegistration',
  'AwaitCancellationDecision',
  'AwaitQualityCheck',
];
/**
 * Token tasks that are steps, not waits of the wait handler: PackAndLabel waits for its label batch, which waits
 * for Ozon's assembly.
 */
const TOKEN_STEPS = ['PackAndLabel'];
/**
 * Tasks that run when the posting is already cancelled or settled, or only alert on the way to a wait or an ending
 * that catches it: no PostingCancelled catch is expected there.
 */
const NOT_CANCELLABLE = [
  'NeedsAttention',
  'ReleaseStock',
  'CancelPosting',
  'SettlePayout',
  'AwaitPayout',
  'AlertDispute',
  'AlertNotAccepted',
];

let raw: string;
let definition: Json;
let states: Record<string, Json>;

beforeAll(() => {
  const { resources } = synth();
  const machines = Object.values(resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  expect(machines.map((m) => m.Properties.StateMachineName).sort()).toEqual([
    'Handover',
    'OrderLifecycle',
    'ReturnLifecycle',
  ]);
  const lifecycle = must(
    machines.find((m) => m.Properties.StateMachineName === 'OrderLifecycle'),
    'the OrderLifecycle state machine',
  );
  raw = resolveDefinition(lifecycle.Properties.DefinitionString, resources);
  definition = JSON.parse(raw);
  states = definition.States;
  const handover = must(
    machines.find((m) => m.Properties.StateMachineName === 'Handover'),
    'the Handover state machine',
  );
  handoverStates = JSON.parse(resolveDefinition(handover.Properties.DefinitionString, resources)).States;
  const returns = must(
    machines.find((m) => m.Properties.StateMachineName === 'ReturnLifecycle'),
    'the ReturnLifecycle state machine',
  );
  returnDefinitionJson = JSON.parse(resolveDefinition(returns.Properties.DefinitionString, resources));
}, 60_000);

let handoverStates: Record<string, Json>;
let returnDefinitionJson: Json;

describe('ReturnLifecycle', () => {
  const s = () => returnDefinitionJson.States as Record<string, Json>;
  const retryOf = (state: string, error: string) =>
    (s()[state]?.Retry ?? []).find((r: Json) => r.ErrorEquals.includes(error));

  it('rFBS requests are decided first, FBS returns followed at once; no Fail state', () => {
    expect(returnDefinitionJson.StartAt).toBe('RfbsOrFbs');
    expect(s().RfbsOrFbs?.Choices).toEqual([{ Variable: '$.schema', StringEquals: 'rfbs', Next: 'DecideReturn' }]);
    expect(s().RfbsOrFbs?.Default).toBe('FollowReturn');
    expect(Object.values(s()).filter((x) => x.Type === 'Fail')).toEqual([]);
    expect(s().DecideReturn?.Next).toBe('RequestAnswered');
    expect(s().RequestAnswered?.Choices.map((c: Json) => [c.StringEquals, c.Next])).toEqual([
      ['parcel', 'FollowReturn'],
      ['refund', 'SettleReturn'],
    ]);
    expect(s().RequestAnswered?.Default).toBe('ReturnClosed');
    expect(s().FollowReturn?.Next).toBe('UnitHandled');
    expect(s().SettleReturn?.Next).toBe('ReturnClosed');
  });

  it("waits for the seller and Ozon are retries on the step's own clock; what runs out goes to LeaveReturn", () => {
    expect(retryOf('DecideReturn', 'ReturnAwaitingSeller')).toMatchObject({ IntervalSeconds: 3600, BackoffRate: 1 });
    expect(retryOf('DecideReturn', 'ReturnAwaitingOzon')).toMatchObject({ IntervalSeconds: 3600 });
    for (const error of ['ReturnInTransit', 'ReturnNotCollected', 'ReturnAwaitingCheck']) {
      expect(retryOf('FollowReturn', error), error).toMatchObject({ IntervalSeconds: 6 * 3600, BackoffRate: 1 });
    }
    expect(retryOf('SettleReturn', 'RefundNotBooked')).toMatchObject({ IntervalSeconds: 6 * 3600 });
    for (const name of ['DecideReturn', 'FollowReturn', 'SettleReturn']) {
      expect(catchTargets(s()[name] ?? {}, 'States.ALL'), name).toEqual(['LeaveReturn']);
      // Every step links the seller's alerts to its execution.
      expect(s()[name]?.Parameters?.['executionArn.$'], name).toBe('$$.Execution.Id');
    }
    expect(s().LeaveReturn?.Next).toBe('ReturnLeftToSeller');
    expect(catchTargets(s().LeaveReturn ?? {}, 'States.ALL')).toEqual(['ReturnLeftToSeller']);
    expect(s().ReturnLeftToSeller?.Type).toBe('Succeed');
  });
});

describe('Handover', () => {
  it('act, labels, documents in order; waits for the act time hourly; no Fail state', () => {
    const next = (name: string) => handoverStates[name]?.Next;
    expect(next('CreateAct')).toBe('CheckAct');
    expect(next('CheckAct')).toBe('PrintLabels');
    expect(next('PrintLabels')).toBe('FetchLabels');
    expect(next('FetchLabels')).toBe('HandOverDocuments');
    expect(next('HandOverDocuments')).toBe('CheckHandover');
    expect(Object.values(handoverStates).filter((s) => s.Type === 'Fail')).toEqual([]);
    const early = (handoverStates.CreateAct?.Retry ?? []).find((r: Json) => r.ErrorEquals.includes('ActTooEarly'));
    expect(early).toMatchObject({ IntervalSeconds: 3600, BackoffRate: 1 });
  });

  it('labels that cannot be had go on to the documents; the act failing goes to the seller', () => {
    for (const name of ['PrintLabels', 'FetchLabels']) {
      const c = (handoverStates[name]?.Catch ?? []).find((x: Json) => x.ErrorEquals.includes('States.ALL'));
      expect(c, name).toMatchObject({ Next: 'HandOverDocuments', ResultPath: '$.labelsError' });
    }
    const notReady = (handoverStates.FetchLabels?.Retry ?? []).find((r: Json) =>
      r.ErrorEquals.includes('LabelNotReady'),
    );
    expect(notReady?.IntervalSeconds).toBe(30);
    for (const name of ['CreateAct', 'CheckAct', 'HandOverDocuments']) {
      expect(catchTargets(handoverStates[name] ?? {}, 'States.ALL'), name).toEqual(['AlertHandoverProblem']);
    }
  });

  it("an hour after the cutoff the carriage's parcels are looked at, whether the act was made or left to the seller", () => {
    expect(handoverStates.AlertHandoverProblem?.Next).toBe('CheckHandover');
    const notDue = (handoverStates.CheckHandover?.Retry ?? []).find((r: Json) =>
      r.ErrorEquals.includes('HandoverNotDue'),
    );
    expect(notDue).toMatchObject({ IntervalSeconds: 3600, BackoffRate: 1 });
    expect(handoverStates.CheckHandover?.Next).toBe('ActMadeOrLeft');
    expect(handoverStates.ActMadeOrLeft?.Choices).toEqual([
      { Variable: '$.leftToSeller', BooleanEquals: true, Next: 'LeftToSeller' },
    ]);
    expect(handoverStates.ActMadeOrLeft?.Default).toBe('HandedOver');
    // Ozon unreachable for every retry: the parcels' own stall SLA watches them; the execution does not fail.
    expect(catchTargets(handoverStates.CheckHandover ?? {}, 'States.ALL')).toEqual(['HandoverNotChecked']);
    expect(handoverStates.HandoverNotChecked?.Type).toBe('Succeed');
  });
});

const tasks = () => Object.entries(states).filter(([, s]) => s.Type === 'Task');
const catchTargets = (s: Json, error: string) =>
  (s.Catch ?? []).filter((c: Json) => c.ErrorEquals.includes(error)).map((c: Json) => c.Next);

/**
 * Names of the states entered from StartAt, following Next; at a Choice, `choose` names the next state, and `via`
 * names the state to go to instead of Next (a Catch taken) after the state it is keyed by.
 */
function walk(choose: (choice: Json) => string, via: Record<string, string> = {}): string[] {
  const path: string[] = [];
  let name: string | undefined = definition.StartAt;
  while (name) {
    if (path.includes(name)) throw new Error(`loop at ${name}: ${path.join(' > ')}`);
    path.push(name);
    const s = states[name];
    if (!s) throw new Error(`no state ${name}`);
    if (s.Type === 'Succeed' || s.Type === 'Fail' || s.End) break;
    name = via[name] ?? (s.Type === 'Choice' ? choose(s) : s.Next);
  }
  return path;
}

describe('the deployed definition', () => {
  it('resolves to JSON with fake ARNs and no leftover tokens', () => {
    expect(raw).not.toMatch(/\$\{Token\[|Fn::|"Ref"/);
    expect(definition.StartAt).toBe('ReceivePosting');
    expect(states.ReceivePosting.Resource).toMatch(
      /^arn:aws:lambda:eu-central-1:123456789012:function:ReceivePostingFn/,
    );
    // Whole-execution ceiling: 120 days.
    expect(definition.TimeoutSeconds).toBe(120 * 24 * 3600);
  });

  it('is valid Amazon States Language (asl-validator)', () => {
    // The validator annotates the object it is given, so it gets a copy.
    const result = aslValidator(structuredClone(definition));
    expect(result.errors.map((e) => e.message)).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('asl-validator would catch a broken transition (the check above can fail)', () => {
    const broken = structuredClone(definition);
    broken.States.ReserveStock.Next = 'NoSuchState';
    expect(aslValidator(broken).isValid).toBe(false);
  });

  it('has every state the seller sees, and only known states besides the Fail endings', () => {
    for (const n of STATE_NAMES) expect(states, n).toHaveProperty(n);
    expect(Object.keys(states).sort()).toEqual([...STATE_NAMES, ...FAIL_ENDINGS].sort());
    expect(states.Completed.Type).toBe('Succeed');
    expect(states.Cancelled.Type).toBe('Succeed');
    // No Choice on every posting's way by schema: RegisterShipment's HandoverToCarrier routes rFBS (issue 10).
    expect(states).not.toHaveProperty('ShipmentBySchema');
    const choices = Object.keys(states).filter((n) => states[n].Type === 'Choice');
    expect(choices.sort()).toEqual(['CancellationConfirmed', 'JoinLifecycle', 'ShortStockDecision']);
    for (const n of FAIL_ENDINGS) expect(states[n].Type, n).toBe('Fail');
  });

  it('every state is reachable from StartAt', () => {
    const seen = new Set<string>();
    const queue = [definition.StartAt as string];
    while (queue.length) {
      const n = must(queue.shift(), 'queue item');
      if (seen.has(n)) continue;
      seen.add(n);
      const s = states[n];
      const next = [
        s.Next,
        s.Default,
        ...(s.Choices ?? []).map((c: Json) => c.Next),
        ...(s.Catch ?? []).map((c: Json) => c.Next),
      ];
      queue.push(...next.filter((x): x is string => typeof x === 'string'));
    }
    expect([...seen].sort()).toEqual(Object.keys(states).sort());
  });

  it('uses JSONPath only: no JSONata, Assign or Variables anywhere', () => {
    expect(definition.QueryLanguage).toBeUndefined();
    for (const [n, s] of Object.entries(states)) {
      expect(s.QueryLanguage, n).toBeUndefined();
      expect(s.Assign, n).toBeUndefined();
      expect(s.Variables, n).toBeUndefined();
      expect(s.Arguments, n).toBeUndefined();
      expect(s.Output, n).toBeUndefined();
    }
    expect(raw).not.toMatch(/"(QueryLanguage|Assign|Variables)"/);
    expect(raw).not.toContain('{%');
  });
});

describe('waits for the outside world', () => {
  it('the .waitForTaskToken tasks are exactly the Await* states, NeedsAttention and PackAndLabel', () => {
    const tokenTasks = tasks()
      .filter(([, s]) => String(s.Resource).endsWith('.waitForTaskToken'))
      .map(([n]) => n);
    expect(tokenTasks.sort()).toEqual([...WAITS, ...TOKEN_STEPS].sort());
  });

  it('PackAndLabel follows the ship: it waits for the assembly and its packing batch, and goes back to ConfirmPosting without word', () => {
    const s = states.PackAndLabel;
    expect(s.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    // Its own handler (not the wait handler): it queues the token for the label batcher.
    expect(s.Parameters.FunctionName).toMatch(/:function:PackAndLabelFn/);
    // No copy of the order: the batcher reads it when it looks at the assembly.
    expect(s.Parameters.Payload).toEqual({
      'postingNumber.$': '$.postingNumber',
      'schema.$': '$.schema',
      'timeouts.$': '$.timeouts',
      'token.$': '$$.Task.Token',
    });
    // The assembly's wait (2 h, ended by the batcher) and half an hour for a batch.
    expect(s.TimeoutSeconds).toBe(2 * 3600 + 1800);
    expect(s.TimeoutSecondsPath).toBeUndefined();
    expect(s.HeartbeatSeconds).toBeUndefined();
    expect(states.ConfirmPosting.Next).toBe('PackAndLabel');
    // Only the queuing Lambda's transient errors are retried; no word, ship_failed or the backstop: ConfirmPosting,
    // which asks Ozon before it ships again.
    const retried = (s.Retry ?? []).flatMap((r: Json) => r.ErrorEquals);
    expect(retried).toEqual(expect.arrayContaining(workflowErrors.TRANSIENT));
    for (const error of ['States.Timeout', 'ShipFailed', 'AssemblyNotReported']) expect(retried).not.toContain(error);
    for (const error of ['ShipFailed', 'AssemblyNotReported', 'States.Timeout']) {
      expect(catchTargets(s, error), error).toEqual(['ConfirmPosting']);
    }
    expect(catchTargets(s, 'PostingCancelled')).toEqual(['ReleaseStock']);
    expect(catchTargets(s, 'CancellationRequested')).toEqual(['DecideCancellationRequest']);
    // No label call per posting any more: nothing to be "not ready" here (the carriage's FetchLabels has that Retry).
    expect((s.Retry ?? []).filter((r: Json) => r.ErrorEquals.includes('LabelNotReady'))).toEqual([]);
    expect(s.Next).toBe('RegisterShipment');
  });

  it('each passes the task token, takes its timeout from the posting and catches States.Timeout', () => {
    const kinds: Record<string, string> = {
      AwaitRestock: 'restock',
      AwaitPackedConfirmation: 'packed',
      AwaitTrackingNumber: 'tracking',
      AwaitDelivery: 'delivery',
      AwaitDisputeResolution: 'dispute',
      AwaitPayout: 'payout',
      AwaitApproval: 'approval',
      AwaitMarkingCodes: 'marks',
      AwaitCarrierRegistration: 'registration',
      AwaitCancellationDecision: 'cancellation',
      AwaitQualityCheck: 'quality',
    };
    for (const n of WAITS.filter((w) => w !== 'NeedsAttention')) {
      const s = states[n];
      expect(s.Resource, n).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
      expect(s.Parameters.FunctionName, n).toMatch(/:function:AwaitEventFn/);
      expect(s.Parameters.Payload['token.$'], n).toBe('$$.Task.Token');
      expect(s.Parameters.Payload.waitFor, n).toBe(kinds[n]);
      expect(s.TimeoutSecondsPath, n).toBe(`$.timeouts.${kinds[n]}`);
      expect(s.TimeoutSeconds, n).toBeUndefined();
      expect(catchTargets(s, 'States.Timeout'), n).toHaveLength(1);
    }
    expect(catchTargets(states.AwaitDelivery, 'States.Timeout')).toEqual(['CheckTracking']);
    expect(catchTargets(states.AwaitTrackingNumber, 'States.Timeout')).toEqual(['TrackingOverdue']);
    expect(catchTargets(states.AwaitPayout, 'States.Timeout')).toEqual(['SettlePayout']);
    expect(catchTargets(states.AwaitRestock, 'States.Timeout')).toEqual(['DecideShortStock']);
    expect(catchTargets(states.AwaitRestock, 'DeadlinePassed')).toEqual(['DecideShortStock']);
    expect(catchTargets(states.AwaitPackedConfirmation, 'States.Timeout')).toEqual(['RemindPacking']);
    expect(catchTargets(states.AwaitQualityCheck, 'States.Timeout')).toEqual(['RemindQualityCheck']);
    expect(catchTargets(states.AwaitDisputeResolution, 'States.Timeout')).toEqual(['CheckTracking']);
    // Approval: Ozon is asked again (ReceivePosting re-reads the posting and joins where it is).
    expect(catchTargets(states.AwaitApproval, 'States.Timeout')).toEqual(['ReceivePosting']);
    expect(catchTargets(states.AwaitMarkingCodes, 'States.Timeout')).toEqual(['PrepareAssembly']);
    expect(catchTargets(states.AwaitCarrierRegistration, 'States.Timeout')).toEqual(['RegisterShipment']);
    expect(catchTargets(states.AwaitCarrierRegistration, 'CarrierRegistrationFailed')).toEqual(['RegisterShipment']);
  });

  it('what Ozon needs before assembly is a detour only postings with needs take, never an end', () => {
    expect(catchTargets(states.ConfirmPosting, 'AwaitingApproval')).toEqual(['AwaitApproval']);
    expect(catchTargets(states.ConfirmPosting, 'AssemblyDataRequired')).toEqual(['PrepareAssembly']);
    expect(catchTargets(states.ConfirmPosting, 'ShipsInPackages')).toEqual(['ShipInPackages']);
    expect(catchTargets(states.PrepareAssembly, 'AssemblyDataMissing')).toEqual(['AwaitMarkingCodes']);
    expect(states.PrepareAssembly.Next).toBe('ConfirmPosting');
    expect(states.AwaitMarkingCodes.Next).toBe('PrepareAssembly');
    expect(states.AwaitApproval.Next).toBe('ConfirmPosting');
    const checking = (states.PrepareAssembly.Retry ?? []).find((r: Json) =>
      r.ErrorEquals.includes('AssemblyDataChecking'),
    );
    expect(checking?.MaxAttempts).toBeGreaterThan(0);
    expect(catchTargets(states.RegisterShipment, 'CarrierRegistering')).toEqual(['AwaitCarrierRegistration']);
    expect(states.AwaitCarrierRegistration.Next).toBe('RegisterShipment');
    // A split's new posting, still being assembled by Ozon, waits for that in PackAndLabel.
    expect(states.JoinLifecycle.Choices.find((c: Json) => c.StringEquals === 'assembly')?.Next).toBe('PackAndLabel');
  });

  it('NeedsAttention waits a fixed day, passes the error to the alert, and re-checks with Ozon after it', () => {
    const s = states.NeedsAttention;
    expect(s.Parameters.Payload.waitFor).toBe('attention');
    expect(s.Parameters.Payload['problem.$']).toBe('$.error.Error');
    expect(s.Parameters.Payload['cause.$']).toBe('$.error.Cause');
    expect(s.TimeoutSeconds).toBe(24 * 3600);
    expect(s.Parameters.Payload.timeoutSeconds).toBe(24 * 3600);
    expect(s.Next).toBe('ReceivePosting');
    expect(catchTargets(s, 'States.Timeout')).toEqual(['ReceivePosting']);
    // Ended only by the seller or the re-check: ReceivePosting sees a cancellation then (no fast loop).
    expect(catchTargets(s, 'PostingCancelled')).toEqual([]);
  });

  it('plain Lambda steps have a fixed timeout and return only the payload', () => {
    const plain = tasks().filter(([n]) => !WAITS.includes(n) && !TOKEN_STEPS.includes(n));
    expect(plain.length).toBe(tasks().length - WAITS.length - TOKEN_STEPS.length);
    for (const [n, s] of plain) {
      expect(s.TimeoutSeconds, n).toBe(90);
      expect(s.Resource, n).toMatch(/^arn:aws:lambda:/);
    }
  });
});

describe('cancellation', () => {
  it('every task reachable while the posting is active catches PostingCancelled into ReleaseStock', () => {
    const withoutCatch = tasks()
      .filter(([, s]) => !catchTargets(s, 'PostingCancelled').includes('ReleaseStock'))
      .map(([n]) => n);
    expect(withoutCatch.sort()).toEqual([...NOT_CANCELLABLE].sort());
    expect(tasks()).toHaveLength(33);
  });

  it('ReleaseStock and CancelPosting end in Cancelled only when Ozon confirmed it, else the posting rejoins', () => {
    expect(states.ReleaseStock.Next).toBe('CancellationConfirmed');
    expect(states.CancelPosting.Next).toBe('CancellationConfirmed');
    const confirmed = states.CancellationConfirmed;
    // A split is not a cancellation: the execution ends Split and no stock is released.
    expect(confirmed.Choices).toEqual([
      {
        And: [
          { Variable: '$.split', IsPresent: true },
          { Variable: '$.split', BooleanEquals: true },
        ],
        Next: 'Split',
      },
      { Variable: '$.cancelled', BooleanEquals: true, Next: 'Cancelled' },
    ]);
    expect(states.Split.Type).toBe('Succeed');
    expect(states.ShipInPackages.Next).toBe('Split');
    expect(confirmed.Default).toBe('JoinLifecycle');
    expect(states.CancelShortLines.Next).toBe('JoinLifecycle');
    expect(catchTargets(states.ReserveStock, 'StockShort')).toEqual(['AwaitRestock']);
    expect(states.ShortStockDecision.Default).toBe('CancelPosting');
    expect(catchTargets(states.CancelShortLines, 'NothingToShip')).toEqual(['CancelPosting']);
  });
});

describe('error names', () => {
  /** The `name` of every error class functions/shared/errors.ts exports, read off an instance. */
  const classNames = () => {
    const names: string[] = [];
    for (const [exportName, value] of Object.entries(errorClasses)) {
      if (typeof value !== 'function' || !(value.prototype instanceof Error)) continue;
      // biome-ignore lint/suspicious/noExplicitAny: constructors differ (OzonRequestRejected takes four arguments)
      const instance = new (value as any)('probe') as Error;
      expect(instance.name, exportName).toBe(exportName);
      names.push(instance.name);
    }
    return names;
  };

  it('functions/shared/errors.ts exports the classes the workflow relies on', () => {
    const names = classNames();
    expect(names.length).toBeGreaterThanOrEqual(10);
    const referenced = Object.values(workflowErrors)
      .flat()
      .filter((n) => !workflowErrors.TIMEOUTS.includes(n));
    for (const n of referenced) expect(names, n).toContain(n);
  });

  it('every ErrorEquals name is States.*, a Lambda service exception, or an exported error class', () => {
    const known = new Set(classNames());
    const used = new Set<string>();
    for (const s of Object.values(states)) {
      for (const r of [...(s.Retry ?? []), ...(s.Catch ?? [])]) for (const e of r.ErrorEquals) used.add(e);
    }
    expect(used.size).toBeGreaterThan(5);
    const unknown = [...used].filter(
      (e) =>
        !/^States\.[A-Za-z]+$/.test(e) &&
        !/^Lambda\.[A-Za-z]+Exception$/.test(e) &&
        !workflowErrors.TIMEOUTS.includes(e) &&
        !known.has(e),
    );
    expect(unknown).toEqual([]);
    // The workflow's own names are all in use (a dropped Catch shows up here too).
    for (const n of [
      'OzonRateLimited',
      'OzonUnavailable',
      'AwsUnavailable',
      'PostingCancelled',
      'PostingNotFound',
      'StockShort',
      'ShipFailed',
      'NotPackedYet',
      'DeadlinePassed',
      'InArbitration',
      'NotAccepted',
      'NothingToShip',
      'HandoverToCarrier',
    ]) {
      expect(used, n).toContain(n);
    }
  });

  it('transient Ozon errors are retried with backoff on every plain Lambda step', () => {
    for (const [n, s] of tasks()) {
      if (WAITS.includes(n)) continue;
      const r = (s.Retry ?? []).find((x: Json) => x.ErrorEquals.includes('OzonRateLimited'));
      expect(r, n).toBeDefined();
      expect(r.ErrorEquals, n).toContain('OzonUnavailable');
      expect(r.BackoffRate, n).toBeGreaterThan(1);
      expect(r.MaxAttempts, n).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('no dead ends', () => {
  it('every task but NeedsAttention hands what its retries could not fix to NeedsAttention, as its last Catch', () => {
    for (const [n, s] of tasks()) {
      const last = (s.Catch ?? []).at(-1);
      expect(last?.ErrorEquals, n).toEqual(['States.ALL']);
      expect(last?.Next, n).toBe(n === 'NeedsAttention' ? 'ReceivePosting' : 'NeedsAttention');
    }
  });

  it('timeouts of steps and Lambdas are retried like transient errors', () => {
    for (const [n, s] of tasks()) {
      // PackAndLabel's timeout is the assembly's: it goes to ConfirmPosting (its own test).
      if (WAITS.includes(n) || n === 'PackAndLabel') continue;
      const r = (s.Retry ?? []).find((x: Json) => x.ErrorEquals.includes('OzonUnavailable'));
      expect(r.ErrorEquals, n).toEqual(expect.arrayContaining(['States.Timeout', 'Sandbox.Timedout', 'TimeoutError']));
    }
  });

  it('JoinLifecycle sends a posting where Ozon says it is', () => {
    const join = states.JoinLifecycle;
    const to = (at: string) => join.Choices.find((c: Json) => c.StringEquals === at)?.Next;
    expect([to('pack'), to('transit'), to('settle'), join.Default]).toEqual([
      'PackAndLabel',
      'AwaitDelivery',
      'AwaitPayout',
      'ReserveStock',
    ]);
    expect(states.ReceivePosting.Next).toBe('JoinLifecycle');
  });

  it('RegisterShipment hands rFBS to the carrier (HandoverToCarrier) and FBS straight on to AwaitDelivery', () => {
    const s = states.RegisterShipment;
    expect(s.Next).toBe('AwaitDelivery');
    const handover = (s.Catch ?? []).filter((c: Json) => c.ErrorEquals.includes('HandoverToCarrier'));
    // The posting's state is kept, the error beside it: AwaitTrackingNumber needs its postingNumber and timeouts.
    expect(handover).toEqual([
      { ErrorEquals: ['HandoverToCarrier'], ResultPath: '$.error', Next: 'AwaitTrackingNumber' },
    ]);
    // ...and it is not swallowed by a retry or by the catch-all before it.
    expect((s.Retry ?? []).flatMap((r: Json) => r.ErrorEquals)).not.toContain('HandoverToCarrier');
    const catches = (s.Catch ?? []).map((c: Json) => c.ErrorEquals);
    expect(catches.findIndex((e: string[]) => e.includes('HandoverToCarrier'))).toBeLessThan(
      catches.findIndex((e: string[]) => e.includes('States.ALL')),
    );
    expect(states.AwaitTrackingNumber.Next).toBe('SetTrackingNumber');
    expect(states.SetTrackingNumber.Next).toBe('AwaitDelivery');
  });

  it('AwaitPayout ends in Completed; only its timeout goes through SettlePayout first', () => {
    expect(states.AwaitPayout.Next).toBe('Completed');
    expect(catchTargets(states.AwaitPayout, 'States.Timeout')).toEqual(['SettlePayout']);
    expect(states.SettlePayout.Next).toBe('Completed');
    expect(states.AwaitDelivery.Next).toBe('AwaitPayout');
  });

  it("a buyer's cancellation request ends every wait but NeedsAttention, AwaitPayout and its own, into DecideCancellationRequest", () => {
    for (const w of WAITS) {
      const expected = ['NeedsAttention', 'AwaitPayout', 'AwaitCancellationDecision'].includes(w)
        ? []
        : ['DecideCancellationRequest'];
      expect(catchTargets(states[w], 'CancellationRequested'), w).toEqual(expected);
    }
    const decide = states.DecideCancellationRequest;
    expect(decide.Next).toBe('ReceivePosting');
    expect(catchTargets(decide, 'CancellationDecisionAsked')).toEqual(['AwaitCancellationDecision']);
    expect(catchTargets(decide, 'PostingCancelled')).toEqual(['ReleaseStock']);
    expect((decide.Retry ?? []).some((r: Json) => r.ErrorEquals.includes('CancellationNotApplied'))).toBe(true);
    expect(states.AwaitCancellationDecision.Next).toBe('DecideCancellationRequest');
    expect(catchTargets(states.AwaitCancellationDecision, 'States.Timeout')).toEqual(['DecideCancellationRequest']);
  });

  it('"not packed yet" goes to the packing wait, which returns to ConfirmPosting', () => {
    expect(catchTargets(states.ConfirmPosting, 'NotPackedYet')).toEqual(['AwaitPackedConfirmation']);
    expect(states.AwaitPackedConfirmation.Next).toBe('ConfirmPosting');
  });
});

describe('path length', () => {
  it('the happy FBS path reaches Completed in at most 11 states', () => {
    const path = walk((choice) => choice.Default);
    expect(path.at(-1)).toBe('Completed');
    // Issue 10: at most 11 states a posting (state transitions are what a Standard execution costs).
    expect(path.length).toBeLessThanOrEqual(11);
    expect(path).toEqual([
      'ReceivePosting',
      'JoinLifecycle',
      'ReserveStock',
      'ConfirmPosting',
      // No AwaitAssembly: the packing batch waits for Ozon's assembly itself (one state less).
      'PackAndLabel',
      'RegisterShipment',
      'AwaitDelivery',
      'AwaitPayout',
      'Completed',
    ]);
  });

  it('the rFBS branch leaves RegisterShipment through HandoverToCarrier and rejoins at AwaitDelivery', () => {
    const [handover] = catchTargets(states.RegisterShipment, 'HandoverToCarrier');
    const path = walk((choice) => choice.Default, { RegisterShipment: must(handover, 'HandoverToCarrier catch') });
    expect(path.at(-1)).toBe('Completed');
    expect(path.slice(path.indexOf('RegisterShipment'))).toEqual([
      'RegisterShipment',
      'AwaitTrackingNumber',
      'SetTrackingNumber',
      'AwaitDelivery',
      'AwaitPayout',
      'Completed',
    ]);
    // The happy path with the carrier's tracking number in place of nothing: two states more.
    expect(path).toHaveLength(11);
  });
});
