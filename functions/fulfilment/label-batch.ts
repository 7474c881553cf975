/**
 * The packing batcher: Lambda on the label queue (batches of up to 40, gathered for a few seconds). It first reads
 * the orders of its requests (one eventually consistent BatchGetItem) and keeps only the postings Ozon reports
 * assembled: PackAndLabel follows the ship at once, and this is where the posting waits for the assembly
 * (packingDecision) — asked again a little later, or ended with the failure the state catches (cancelled,
 * `ship_failed`, no word in time). Per warehouse batch of the assembled: the batch's packing list (what to pick, how
 * to pack what is fragile) in the labels bucket, the units taken off the shelf in one transaction, then every
 * posting's PackAndLabel wait ended. No Ozon call: FBS labels come for the whole carriage on the handover day
 * (functions/handover/print-labels.ts), rFBS labels are the seller's carrier's.
 */
import { createHash } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { sendAccountAlert } from '#shared/alerts';
import { downloadLink, putLabelsFile } from '#shared/aws/s3';
import { now, nowIso } from '#shared/clock';
import { env } from '#shared/config';
import { PostingNotFound } from '#shared/errors';
import { logger, withPowertools } from '#shared/handler';
import type { Order, Phase } from '#shared/order';
import { getOrder, type OrderPatch, ordersOf, updateOrder } from '#shared/order-store';
import { emitMetric } from '#shared/powertools';
import { packingList } from '#stock/rules';
import { consume, consumeBatch, getStock } from '#stock/stock-store';
import { sendTaskFailure, sendTaskOutcome } from '#waits/deliver-to-wait';
import { type LabelRequest, readLabelRequest } from './label-request';
import { firstPerPosting, labelBatches, labelBatchKey, labelFiles, packingDecision } from './rules';

interface Queued extends LabelRequest {
  messageId: string;
}

interface Assembled extends Queued {
  order: Order;
}

export async function processLabelRequests(records: SQSRecord[]): Promise<SQSBatchResponse> {
  const failures: string[] = [];
  const queued: Queued[] = [];
  for (const record of records) {
    const request = readLabelRequest(safeJson(record.body), now());
    // Only PackAndLabel writes this queue; a body it did not write cannot be retried into shape.
    if (!request) {
      logger.error('Unreadable label request dropped', { messageId: record.messageId });
      continue;
    }
    queued.push({ ...request, messageId: record.messageId });
  }
  const { assembled, later } = await sortByAssembly(queued, failures);
  for (const batch of labelBatches(assembled)) {
    try {
      await packBatch(batch);
    } catch (error) {
      // This batch comes back through the queue; the other batches of the event are not held up by it.
      logger.error('Label batch failed; it will be retried', { error, postings: batch.map((r) => r.postingNumber) });
      failures.push(...batch.map((r) => r.messageId));
    }
  }
  await askAgainLater(later, failures);
  await retryLater(records.filter((r) => failures.includes(r.messageId)));
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

/**
 * The requests' orders, read together (eventually: a status a moment old only means asking again a little
 * later), and what each one's posting is ready for. Ended ones (packed already, cancelled, failed) are ended here.
 */
async function sortByAssembly(queued: Queued[], failures: string[]) {
  const assembled: Assembled[] = [];
  const later: Queued[] = [];
  if (!queued.length) return { assembled, later };
  let orders: Map<string, Order>;
  try {
    const read = await ordersOf([...new Set(queued.map((q) => q.postingNumber))], { waits: false });
    orders = new Map(read.map((o) => [o.postingNumber, o]));
  } catch (error) {
    logger.error('Orders of the label requests could not be read; they will be retried', { error });
    failures.push(...queued.map((q) => q.messageId));
    return { assembled, later };
  }
  const at = nowIso();
  for (const request of queued) {
    try {
      // Not there in a read a moment old: the strong read says whether it exists at all.
      const order = orders.get(request.postingNumber) ?? (await getOrder(request.postingNumber));
      if (!order) {
        // ReceivePosting wrote it before any ship: only a table restored without it gets here. NeedsAttention.
        logger.error('Label request for a posting with no order', { posting: request.postingNumber });
        await sendTaskFailure(request.token, {
          outcome: 'failure',
          error: PostingNotFound.name,
          cause: `No order for ${request.postingNumber} in the table`,
        });
        continue;
      }
      let current = order;
      let decision = packingDecision(current, request.assembleBy, at);
      // An end is decided on a strong read: a read a moment old could still show the `ship_failed` a second ship
      // has just cleared. Ends are rare; the happy path keeps its eventual read.
      if (decision.kind === 'end') {
        current = (await getOrder(request.postingNumber, { consistent: true })) ?? order;
        decision = packingDecision(current, request.assembleBy, at);
      }
      if (decision.kind === 'pack') assembled.push({ ...request, order: current });
      else if (decision.kind === 'later') later.push(request);
      else if (decision.kind === 'packed') await sendTaskOutcome(request.token, { outcome: 'success' }, current);
      else {
        await sendTaskOutcome(request.token, decision.outcome, current);
        emitMetric('PackingEnded', 1, { reason: decision.outcome.error });
      }
    } catch (error) {
      logger.error('Label request could not be judged; it will be retried', { error, posting: request.postingNumber });
      failures.push(request.messageId);
    }
  }
  // The same posting twice among them: packed once, the other request looks again later (firstPerPosting).
  const { first, again } = firstPerPosting(assembled);
  return { assembled: first, later: [...later, ...again] };
}

/**
 * Postings Ozon has not reported assembled yet are queued again, LABEL_RETRY_SECONDS later (a minute in AWS), as
 * new messages: SQS's receive count (and the dead-letter queue after it) stays for requests that really fail.
 * What cannot be queued again comes back through the queue's visibility timeout instead.
 */
async function askAgainLater(later: Queued[], failures: string[]) {
  if (!later.length) return;
  const { LABEL_QUEUE_URL, LABEL_RETRY_SECONDS } = env('labelQueue');
  const { sendLater } = await import('#shared/aws/sqs');
  // Queued again as read: a request of the version before gets its deadline once.
  const bodies = later.map(({ token, postingNumber, assembleBy }): string => {
    const request: LabelRequest = { token, postingNumber, assembleBy };
    return JSON.stringify(request);
  });
  const refused = await sendLater(LABEL_QUEUE_URL, bodies, LABEL_RETRY_SECONDS);
  for (const i of refused) failures.push(later[i]?.messageId ?? '');
  emitMetric('PackingAskedAgain', later.length);
}

/**
 * What failed comes back in LABEL_RETRY_SECONDS (a minute in AWS) rather than the queue's visibility timeout of six
 * minutes. If this call fails, the timeout still applies.
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
async function packBatch(batch: Assembled[]) {
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
