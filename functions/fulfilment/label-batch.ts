/**
 * The packing batcher: Lambda on the label queue (batches of up to 20, gathered for a few seconds). Per warehouse
 * batch: the batch's packing list (what to pick, how to pack what is fragile) in the labels bucket, the units taken
 * off the shelf in one transaction, then every posting's PackAndLabel wait ended. No Ozon call: FBS labels come for
 * the whole carriage in one label task on the handover day (functions/handover/print-labels.ts), rFBS labels are
 * the seller's carrier's.
 */
import { createHash } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { sendAccountAlert } from '#shared/alerts';
import { downloadLink, putLabelsFile } from '#shared/aws/s3';
import { nowIso } from '#shared/clock';
import { env } from '#shared/config';
import { logger, withPowertools } from '#shared/handler';
import type { Order, Phase } from '#shared/order';
import { getOrder, type OrderPatch, updateOrder } from '#shared/order-store';
import { emitMetric } from '#shared/powertools';
import { packingList } from '#stock/rules';
import { consume, consumeBatch, getStock } from '#stock/stock-store';
import { sendTaskOutcome } from '#waits/deliver-to-wait';
import { LabelRequest } from './label-request';
import { labelBatches, labelBatchKey, labelFiles } from './rules';

interface Queued extends LabelRequest {
  messageId: string;
  attempt: number;
}

export async function processLabelRequests(records: SQSRecord[]): Promise<SQSBatchResponse> {
  const failures: string[] = [];
  const queued: Queued[] = [];
  for (const record of records) {
    const parsed = LabelRequest.safeParse(safeJson(record.body));
    // Only PackAndLabel writes this queue; a body it did not write cannot be retried into shape.
    if (!parsed.success) {
      logger.error('Unreadable label request dropped', { messageId: record.messageId });
      continue;
    }
    queued.push({
      ...parsed.data,
      messageId: record.messageId,
      attempt: Number(record.attributes.ApproximateReceiveCount ?? '1'),
    });
  }
  for (const batch of labelBatches(queued)) {
    try {
      await packBatch(batch);
    } catch (error) {
      // This batch comes back through the queue; the other batches of the event are not held up by it.
      logger.error('Label batch failed; it will be retried', {
        error,
        postings: batch.map((r) => r.order.postingNumber),
      });
      failures.push(...batch.map((r) => r.messageId));
    }
  }
  await retryLater(records.filter((r) => failures.includes(r.messageId)));
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

/**
 * What failed comes back in LABEL_RETRY_SECONDS (a minute in AWS) rather than the queue's visibility timeout of six
 * minutes: Ozon's labels are usually ready a minute after assembly. If this call fails, the timeout still applies.
 */
async function retryLater(failed: SQSRecord[]): Promise<void> {
  if (!failed.length) return;
  const { LABEL_QUEUE_URL, LABEL_RETRY_SECONDS } = env('labelQueue');
  // Only a failed batch needs the SQS client: loaded then, not at every cold start (~10 ms of module init).
  const { retryIn } = await import('#shared/aws/sqs');
  await retryIn(
    LABEL_QUEUE_URL,
    failed.map((r) => r.receiptHandle),
    LABEL_RETRY_SECONDS,
  ).catch((error: unknown) => logger.warn('Could not shorten the retry of failed label requests', { error }));
}

/**
 * What every batch ends with: its packing list stored, the units off the shelf (one transaction, or one posting at a
 * time when that is refused), each posting's wait ended.
 */
async function packBatch(batch: LabelRequest[]) {
  const orders = batch.map((r) => r.order);
  const { stem: labelBatch, fragile } = await storeBatch(orders);
  // FBS: packed is ready for its carriage (RegisterShipment then writes nothing); rFBS: packed, for the carrier.
  const patchOf = (o: Order) => ({ phase: readyPhase(o), labelBatch });
  const at = nowIso();
  if (!(await consumeBatch(orders, at, patchOf))) {
    // A retry (some marks already there) or a product short for a posting adopted after assembly: one by one.
    for (const order of orders) await packOne(order, at, patchOf(order));
  }
  emitMetric('LabelBatchSize', batch.length);
  // Before the waits end: a failed alert brings the batch back (its writes are idempotent), and the claim on the
  // batch's key sends it once however often SQS delivers the batch.
  await alertPacking(orders, labelBatch, fragile);
  for (const request of batch) {
    const done = { ...request.order, ...patchOf(request.order), shippedFromStockAt: at };
    await sendTaskOutcome(request.token, { outcome: 'success' }, done);
  }
}

/** The batch's packing list of every posting, under a key stem (labelFiles) beside the day's labels; returned. */
async function storeBatch(orders: Order[]) {
  const warehouseId = orders[0]?.warehouseId ?? 0;
  const postingNumbers = orders.map((o) => o.postingNumber);
  const digest = createHash('sha256').update(postingNumbers.join(',')).digest('hex');
  const base = labelBatchKey(warehouseId, nowIso().slice(0, 10), postingNumbers, digest);
  // Only the handling notes are read here (the counts move in the transaction, checked by its conditions): they
  // change rarely, so a read a moment old is enough, at half the read units.
  const stock = await getStock(
    warehouseId,
    orders.flatMap((o) => o.lines.map((l) => l.offerId)),
    { consistent: false },
  );
  const handling = new Map([...stock].map(([offerId, item]) => [offerId, item.handling]));
  const text = orders
    .map((o) => [`${o.postingNumber} (${o.schema.toUpperCase()})`, ...packingList(o.lines, handling)].join('\n'))
    .join('\n\n');
  await putLabelsFile(labelFiles(base).packingList, `${text}\n`, 'text/plain; charset=utf-8');
  const fragile = orders.flatMap((o) => o.lines).filter((l) => handling.get(l.offerId)?.includes('fragile')).length;
  return { stem: base, fragile };
}

/**
 * The seller's packing work for the batch, as one `pack_batch` alert: which parcels, how many fragile lines, and a
 * link to the packing list that opens without AWS credentials (signed by this function).
 */
async function alertPacking(orders: Order[], stem: string, fragile: number) {
  const bucket = env('labels').LABELS_BUCKET;
  const files = labelFiles(stem);
  const seconds = PACK_LINK_HOURS * 3600;
  await sendAccountAlert(
    {
      kind: 'pack_batch',
      warehouseId: orders[0]?.warehouseId ?? 0,
      postings: orders.map((o) => o.postingNumber),
      fragile,
      packingList: await downloadLink(bucket, files.packingList, seconds),
      linksValidHours: PACK_LINK_HOURS,
    },
    { once: createHash('sha256').update(stem).digest('hex').slice(0, 16) },
  );
}

/**
 * How long the alert's links work. They are signed with the function's temporary credentials, which Lambda keeps
 * for hours, not days: the packing happens the same day.
 */
const PACK_LINK_HOURS = 6;

const readyPhase = (o: Order): Phase => (o.schema === 'fbs' ? 'shipping' : 'packing');

/** Phases a posting may be in before its batch is packed: a batch's write never moves one back from later ones. */
const BEFORE_PACKED: Phase[] = ['received', 'awaiting_stock', 'reserved', 'awaiting_packed', 'confirming', 'packing'];

/**
 * Takes one posting's units off the shelf (once) and records its batch files and phase — unless the posting went
 * on already: a request SQS delivers a second time (at least once) finds it shipped, delivered or completed, and
 * must not set it back to `shipping`.
 */
async function packOne(order: Order, at: string, patch: OrderPatch) {
  const current = (await getOrder(order.postingNumber)) ?? order;
  // A posting adopted after assembly whose units the seller's count no longer has: nothing to take.
  await consume(current, at);
  const before = Object.fromEntries(BEFORE_PACKED.map((p, i) => [`:before${i}`, p]));
  await updateOrder(order.postingNumber, patch, {
    expression: `phase IN (${Object.keys(before).join(', ')})`,
    values: before,
  }).catch((e: Error) => {
    if (e.name !== 'ConditionalCheckFailedException') throw e;
  });
}

function safeJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

export const handler = withPowertools(async (event: SQSEvent) => processLabelRequests(event.Records));
