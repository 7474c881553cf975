/**
 * The seller's simulated rFBS carrier: a while after the product asks the seller to hand a parcel over (the
 * `rfbs_handover` alert), it sends the tracking number through the seller API; after the transit time it reports
 * the parcel delivered. It reads what it has to do from the order records, the way a warehouse system reads its
 * own records, so it survives a restart of `npm start` with a data dir: nothing it planned is only in memory.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { env } from '#shared/config';
import { keys } from '#shared/db';
import { listEvents } from '#shared/event-store';
import type { Order } from '#shared/order';
import { fromItem } from '#shared/order-store';
import type { CompressedClock } from './clock';

/**
 * The rFBS orders on their way out, found the way a warehouse system would look through its own records: a scan
 * of the table with its own client. The product's sweep index has no place for them (no sweep of the product
 * needs them), and the benchmark counts only the product's DynamoDB requests, not this simulation's.
 */
async function rfbsOnTheirWay(): Promise<Order[]> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    const found: Order[] = [];
    const pages = paginateScan(
      { client },
      {
        TableName: env('table').TABLE_NAME,
        FilterExpression: 'sk = :order AND #schema = :rfbs AND phase IN (:shipping, :transit)',
        ExpressionAttributeNames: { '#schema': 'schema' },
        ExpressionAttributeValues: {
          ':order': keys.order('').sk,
          ':rfbs': 'rfbs',
          ':shipping': 'shipping',
          ':transit': 'in_transit',
        },
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) found.push(fromItem(item));
    return found;
  } finally {
    client.destroy();
  }
}

export interface CarrierPlan {
  /** Never sends a tracking number. */
  silent?: boolean;
  transitMs?: number;
  /** Picks the parcel up this long after it was packed, instead of the carrier's usual time. */
  handoverMs?: number;
}

export interface CarrierOptions {
  handoverMs: number;
  transitMs: number;
  /** Lets a scenario make the carrier silent or slow for a given posting. */
  plan?: (postingNumber: string) => CarrierPlan;
}

/** How often (simulated) the carrier looks at what it has to do. */
const ROUND_MS = 15 * 60_000;

const isoMs = (iso: string | undefined) => (iso ? Date.parse(iso) : Number.NaN);

/** When the parcel was handed over: the handover alert (sent once per posting when it was packed). */
function handedOverAt(order: Order): number {
  return isoMs(order.alerts.find((a) => a.kind === 'rfbs_handover')?.at);
}

async function trackingSetAt(order: Order): Promise<number> {
  const events = await listEvents(order.postingNumber);
  return isoMs(events.find((e) => e.key === `tracking#${order.trackingNumber}`)?.at);
}

export function startCarrier(
  clock: CompressedClock,
  sellerApi: (action: string, body: unknown) => Promise<Response>,
  options: CarrierOptions,
): { stop(): void } {
  // Calls in flight or answered: a slow answer must not make the next round send the same call again.
  const sent = new Set<string>();
  let running = true;
  let cancel = () => {};
  const send = async (key: string, action: string, body: unknown) => {
    if (sent.has(key)) return;
    sent.add(key);
    const response = await sellerApi(action, body).catch(() => undefined);
    if (!response?.ok) sent.delete(key);
  };
  const round = async () => {
    const now = clock.now();
    const onTheirWay = await rfbsOnTheirWay().catch(() => [] as Order[]);
    const shipping = onTheirWay.filter((o) => o.phase === 'shipping');
    const inTransit = onTheirWay.filter((o) => o.phase === 'in_transit');
    const calls: Promise<void>[] = [];
    for (const order of shipping) {
      const plan = options.plan?.(order.postingNumber) ?? {};
      // An aggregator's parcel is registered by Ozon, which assigns its tracking number: nothing for the seller.
      if (order.schema !== 'rfbs' || order.tplIntegrationType === 'aggregator') continue;
      if (order.trackingNumber || plan.silent) continue;
      // Not handed over yet as far as the carrier knows (the hand-over alert is written after the phase): a NaN
      // here once let a busy run's carrier pick a parcel up at once.
      const handedOver = handedOverAt(order);
      if (Number.isNaN(handedOver) || now < handedOver + (plan.handoverMs ?? options.handoverMs)) continue;
      const trackingNumber = `CN${order.postingNumber.replace(/\D/g, '')}`;
      calls.push(
        send(`tracking ${order.postingNumber}`, 'tracking', { postingNumber: order.postingNumber, trackingNumber }),
      );
    }
    for (const order of inTransit) {
      // Ozon takes "delivered" only for a posting it has as "delivering", and status reports only from the seller's
      // own delivery: a carrier Ozon tracks (3pl_tracking, aggregator) moves the status through Ozon itself.
      if (order.schema !== 'rfbs' || order.tplIntegrationType !== 'non_integrated') continue;
      if (!order.trackingNumber || order.status !== 'delivering') continue;
      const transitMs = options.plan?.(order.postingNumber).transitMs ?? options.transitMs;
      const deliver = async () => {
        const setAt = await trackingSetAt(order);
        // Half-way the courier takes the parcel for the last mile, then hands it to the buyer.
        if (clock.now() >= setAt + transitMs / 2 && order.substatus !== 'posting_in_courier_service') {
          await send(`last mile ${order.postingNumber}`, 'lastMile', { postingNumber: order.postingNumber });
        }
        if (clock.now() < setAt + transitMs) return;
        await send(`delivered ${order.postingNumber}`, 'delivered', { postingNumber: order.postingNumber });
      };
      calls.push(deliver().catch(() => {}));
    }
    await Promise.all(calls);
  };
  const loop = () => {
    if (!running) return;
    void round().finally(() => {
      if (running) cancel = clock.schedule(ROUND_MS, loop);
    });
  };
  cancel = clock.schedule(ROUND_MS, loop);
  return {
    stop() {
      running = false;
      cancel();
    },
  };
}
