/**
 * The poller's part of buyers' cancellation requests (rFBS; Ozon pushes none): the open ones
 * (`/v2/conditional-cancellation/list`, state ON_APPROVAL) recorded once on their order, and the posting's wait
 * handed the order — it ends with CancellationRequested and DecideCancellationRequest answers. Requests for
 * postings the product does not follow are left to the cabinet.
 */
import { nowIso } from '#shared/clock';
import { recordEvent } from '#shared/event-store';
import { getOrder } from '#shared/order-store';
import { ozon } from '#shared/ozon/client';
import type { CancellationListResponse } from '#shared/ozon/schemas';
import { deliverToWait } from '#waits/deliver-to-wait';

/** Ozon's page limit; a seller has far fewer open requests, the bound only stops a misbehaving cursor. */
const PAGE = 500;
const MAX_PAGES = 20;

type Listed = CancellationListResponse['result'][number];

export async function followCancellationRequests(): Promise<{ open: number; recorded: number }> {
  const open: Listed[] = [];
  let lastId = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await ozon().call('cancellationRequests', {
      filters: { state: 'ON_APPROVAL' },
      limit: PAGE,
      ...(lastId ? { last_id: lastId } : {}),
    });
    open.push(...answer.result);
    const next = Number(answer.last_id ?? 0);
    if (answer.result.length < PAGE || !next || next === lastId) break;
    lastId = next;
  }
  let recorded = 0;
  for (const request of open) if (await recordRequest(request)) recorded++;
  return { open: open.length, recorded };
}

/** Records a request on its order once (keyed by its id), and hands the order to its wait. */
async function recordRequest(request: Listed): Promise<boolean> {
  const order = await getOrder(request.posting_number, { consistent: false });
  // Not followed (an FBS posting has none; a posting from before the product): the cabinet's.
  if (!order || order.cancellationRequest?.id === request.cancellation_id) return false;
  const at = nowIso();
  const reason = [request.cancellation_reason?.name, request.cancellation_reason_message].filter(Boolean).join(': ');
  const { fresh, order: updated } = await recordEvent(
    request.posting_number,
    `cancel_request#${request.cancellation_id}`,
    { type: 'cancellation_requested', at, source: 'poll' },
    {
      cancellationRequest: {
        id: request.cancellation_id,
        reason: reason || 'no reason given',
        requestedAt: request.cancelled_at ? new Date(request.cancelled_at).toISOString() : at,
        ...(request.auto_approve_date ? { autoApproveAt: new Date(request.auto_approve_date).toISOString() } : {}),
      },
    },
  );
  if (updated) await deliverToWait(updated);
  return fresh;
}
