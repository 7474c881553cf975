/**
 * Records a status seen by anyone (push, poll, step) and hands it to a waiting execution. An older status arriving
 * after a newer one does not move the order back, even when both are applied at the same moment (the write is
 * conditional on the status time). A pushed status change is one conditional write of the order item (Ozon keeps
 * the posting's status history, the order the latest); a cancellation, or a status a push did not bring, is also
 * kept as an event of its own.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nowIso } from '#shared/clock';
import { payoutTolerance } from '#shared/config';
import { db, keys, setExpression } from '#shared/db';
import { putEvent } from '#shared/event-store';
import { cancellationOf, type Order, phaseAfterStatus } from '#shared/order';
import { fromItem, getOrder, indexClauses, table } from '#shared/order-store';
import type { Posting } from '#shared/ozon/schemas';
import { handedOver, isCancelled } from '#shared/status';
import { deliverToWait } from '#waits/deliver-to-wait';
import { statusMayEndWait } from '#waits/rules';

export async function recordStatus(
  postingNumber: string,
  status: string,
  substatus: string | undefined,
  changedAt: string,
  source: 'push' | 'poll' | 'seller',
  extra: Record<string, unknown> = {},
) {
  // A date from the future (a wrong clock, a forged push) must not pin the order above every real status to come.
  const at = new Date(Math.min(Date.parse(changedAt), Date.parse(nowIso()))).toISOString();
  const patch = {
    status,
    substatus,
    lastStatusAt: at,
    ...(status === 'delivered' ? { deliveredAt: at } : {}),
    // The parcel left the seller: a cancellation from now on leaves no units to put back on the shelf.
    ...(handedOver(status) ? { handedOverAt: at } : {}),
    ...extra,
  };
  // Kept as events of their own: cancellations, and whatever a push did not bring (the poller made up for a lost
  // push, Ozon's answer to a check, the seller's report) — rare, and what ops look for when a posting went oddly.
  if (isCancelled(status) || source !== 'push') {
    await putEvent(postingNumber, `status#${status}#${substatus ?? ''}#${at}`, {
      type: 'status',
      status,
      substatus,
      at,
      source,
    });
  }
  const applied = await applyStatus(postingNumber, patch, at);
  // Also for a repeat: the first delivery of this status may have failed, and a redelivered push must finish it.
  // A change no wait can act on (the posting was assembled already) spares reading the wait.
  if (applied.order && (!applied.before || statusMayEndWait(applied.before, applied.order, payoutTolerance()))) {
    await deliverToWait(applied.order);
  }
  return applied.order;
}

/**
 * The status write, with the phase it implies when the posting is still before it (phaseAfterStatus). Refused
 * because the posting is past that phase, it is written without the phase; refused because a newer status is
 * recorded, nothing is written and the order is read as it is. Works before the order exists (a push that came
 * before the execution): the status waits on a bare item for ReceivePosting.
 */
async function applyStatus(
  postingNumber: string,
  patch: Record<string, unknown>,
  at: string,
): Promise<{ order: Order | undefined; before?: Order }> {
  const newer = 'attribute_not_exists(lastStatusAt) OR lastStatusAt <= :statusAt';
  const advance = phaseAfterStatus(String(patch.status));
  const attempts = advance
    ? [
        { patch: { ...patch, phase: advance.phase }, index: indexClauses(advance.phase), from: advance.from },
        { patch, index: undefined, from: undefined },
      ]
    : [{ patch, index: undefined, from: undefined }];
  for (const attempt of attempts) {
    const { expression, names, values } = setExpression(attempt.patch, attempt.index);
    const fromValues = Object.fromEntries((attempt.from ?? []).map((p, i) => [`:from${i}`, p]));
    const inPhase = attempt.from ? ` AND phase IN (${Object.keys(fromValues).join(', ')})` : '';
    try {
      const { Attributes } = await db().send(
        new UpdateCommand({
          TableName: table(),
          Key: keys.order(postingNumber),
          UpdateExpression: expression,
          ConditionExpression: `(${newer})${inPhase}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ...attempt.index?.values, ...fromValues, ':statusAt': at },
          // The item before the write: the order after it is that plus the patch, and the two together tell
          // whether the change can end a wait (statusMayEndWait).
          ReturnValues: 'ALL_OLD',
        }),
      );
      // No order yet (the status waits on a bare item for ReceivePosting): nothing can wait on it.
      if (!Attributes || !('phase' in Attributes)) return { order: undefined };
      const after: Record<string, unknown> = { ...Attributes };
      for (const [k, v] of Object.entries(attempt.patch)) {
        if (v === undefined) delete after[k];
        else after[k] = v;
      }
      return { order: fromItem(after), before: fromItem(Attributes) };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }
  // An older status than the one recorded: the order stays on the newer one.
  return { order: await getOrder(postingNumber) };
}

/** Records what Ozon itself says about the posting now: the confirmation of a push or a seller's report. */
export async function recordOzonStatus(
  posting: Posting,
  extra: Record<string, unknown> = {},
): Promise<Order | undefined> {
  return recordStatus(posting.posting_number, posting.status, posting.substatus ?? undefined, nowIso(), 'poll', {
    ...(isCancelled(posting.status) ? { cancellation: cancellationOf(posting) } : {}),
    ...extra,
  });
}
