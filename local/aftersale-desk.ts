/**
 * The seller's after-sale desk in the demo scenarios: it answers the product's alerts through the seller API as a
 * seller would — a return request the rules left to them, the check of a unit that came back (after collecting an
 * FBS return at the drop-off point, which on Ozon is the seller's own trip), a buyer's cancellation request. The
 * return's id is read from the sandbox, the way a seller reads it in the cabinet; nothing reaches into the product
 * except through its API.
 */
import type { RequestAnswer } from '#aftersale/return-rules';
import type { Runtime } from './runtime';

const HOUR = 3600_000;

export interface AfterSalePlan {
  /** The answer to a return request (rFBS), an hour after the alert; none: the seller never answers. */
  answer?: { answer: RequestAnswer; amount?: number; comment?: string };
  /** The check of the returned unit, two hours after it is back; none: never reported. */
  check?: { condition: 'resellable' | 'defective'; refund: boolean; comment?: string };
  /** FBS: the seller collects the return at the drop-off point before checking it. */
  collect?: boolean;
  /** The answer to a buyer's cancellation request, an hour after the alert. */
  cancellation?: { approve: boolean; comment?: string };
}

export function startAfterSaleDesk(runtime: Runtime, plans: Map<string, AfterSalePlan>) {
  const sandbox = runtime.sandbox;
  if (!sandbox) return;
  const returnOf = (pn: string) => {
    const view = sandbox.afterSale();
    const rfbs = view.rfbsReturns.find((r) => r.posting_number === pn);
    if (rfbs) return { id: rfbs.return_id, schema: 'rfbs' as const };
    const fbs = view.fbsReturns.find((r) => r.posting_number === pn);
    return fbs ? { id: fbs.id, schema: 'fbs' as const } : undefined;
  };
  const later = (ms: number, act: () => Promise<unknown> | unknown) =>
    runtime.clock.schedule(ms, () => {
      void Promise.resolve()
        .then(act)
        .catch(() => {});
    });
  runtime.onAlert((alert) => {
    const plan = plans.get(alert.postingNumber);
    if (!plan) return;
    const ret = returnOf(alert.postingNumber);
    if (alert.kind === 'return_request' && plan.answer && ret) {
      later(HOUR, () => runtime.sellerApi('returnRequest', { returnId: ret.id, ...plan.answer }));
    }
    if (alert.kind === 'return_arrived' && plan.check && ret) {
      later(2 * HOUR, () => {
        if (ret.schema === 'fbs' && plan.collect) sandbox.collectReturn(ret.id);
        return runtime.sellerApi('returnCheck', { returnId: ret.id, ...plan.check });
      });
    }
    if (alert.kind === 'cancellation_request' && plan.cancellation) {
      later(HOUR, () =>
        runtime.sellerApi('cancellationRequest', { postingNumber: alert.postingNumber, ...plan.cancellation }),
      );
    }
  });
}
