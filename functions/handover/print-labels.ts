/**
 * PrintLabels: the carriage's labels, up to 20 postings a call. First the one-call method
 * (`/v2/posting/fbs/package-label`, the PDF in the answer), stored beside the act at once: on the handover day the
 * parcels were assembled hours ago, so their labels are ready and a chunk costs one Ozon call. A chunk Ozon refuses
 * (one posting not ready fails the whole call, by Ozon's docs) goes to a label task
 * (`/v2/posting/fbs/package-label/create`), which prints the rest and names what it could not; FetchLabels collects
 * the tasks. A task Ozon refuses leaves its postings to be printed in the cabinet.
 */
import * as z from 'zod/mini';
import { putLabelsFile } from '#shared/aws/s3';
import { nowIso } from '#shared/clock';
import { eachLimited } from '#shared/each-limited';
import { OzonRequestRejected } from '#shared/errors';
import { logger, stepHandler } from '#shared/handler';
import { ozon } from '#shared/ozon/client';
import { ActInput } from './check-act';
import { documentBytes, labelChunks, labelTaskFiles } from './rules';

export const LabelsInput = z.extend(ActInput, {
  parcels: z.number(),
  postings: z._default(z.array(z.string()), []),
  removed: z._default(z.array(z.string()), []),
});
export type LabelsInput = z.infer<typeof LabelsInput>;

/** `chunk`: the task's place among the act's chunks, which numbers its file (absent from tasks of older versions). */
export const LabelTask = z.object({
  taskId: z.number(),
  postings: z.array(z.string()),
  chunk: z.optional(z.number()),
});
/** A chunk printed by the one-call method: its file, stored already, and its postings. */
export const PrintedLabels = z.object({ chunk: z.number(), key: z.string(), postings: z.array(z.string()) });
export const Unprinted = z.object({ postingNumber: z.string(), reason: z.string() });
export type Unprinted = z.infer<typeof Unprinted>;

export async function printLabels(input: LabelsInput) {
  const chunks = labelChunks(input.postings);
  // One outcome per chunk, in the act's order (the label files are numbered by it). The calls go out together: one
  // after the other, each waited its turn at the account's rate behind everything else, and on a busy day a
  // carriage of hundreds had its labels asked for after it had left.
  const files = labelTaskFiles(input, input.actId);
  const outcomes: (
    | { task: z.infer<typeof LabelTask> }
    | { printed: z.infer<typeof PrintedLabels> }
    | { unprinted: Unprinted[] }
  )[] = [];
  await eachLimited([...chunks.entries()], async ([i, postings]) => {
    const key = files.pdf(i);
    if (await printNow(postings, key, input.actId)) {
      outcomes[i] = { printed: { chunk: i, key, postings } };
      return;
    }
    try {
      const { result } = await ozon().call('labelTasks', { posting_number: postings });
      // One task per label size; the big label is the one a drop-off point scans.
      const task = result.tasks.find((t) => t.task_type === 'big_label') ?? result.tasks[0];
      outcomes[i] = task
        ? { task: { taskId: task.task_id, postings, chunk: i } }
        : { unprinted: postings.map((postingNumber) => ({ postingNumber, reason: 'Ozon made no label task' })) };
    } catch (e) {
      if (!(e instanceof OzonRequestRejected)) throw e;
      logger.warn('Ozon refused a label task', { actId: input.actId, ozonMessage: e.ozonMessage });
      outcomes[i] = { unprinted: postings.map((postingNumber) => ({ postingNumber, reason: e.ozonMessage })) };
    }
  });
  const tasks = outcomes.flatMap((o) => ('task' in o ? [o.task] : []));
  const printed = outcomes.flatMap((o) => ('printed' in o ? [o.printed] : []));
  const unprinted = outcomes.flatMap((o) => ('unprinted' in o ? o.unprinted : []));
  return { ...input, labelTasks: tasks, printedLabels: printed, unprinted, labelsRequestedAt: nowIso() };
}

/**
 * The chunk's labels in one call, stored under `key`; false when Ozon refuses the call (a posting not ready,
 * cancelled or not in the carriage fails the whole chunk), which then goes to a label task.
 */
async function printNow(postings: string[], key: string, actId: number): Promise<boolean> {
  try {
    // The PDF itself, as Ozon serves it, or the swagger's JSON form with the file in `file_content`.
    const pdf = documentBytes(await ozon().packageLabel(postings));
    await putLabelsFile(key, pdf, 'application/pdf');
    return true;
  } catch (e) {
    if (!(e instanceof OzonRequestRejected)) throw e;
    // Expected now and then (a parcel's label not formed yet): the label task below prints the rest.
    logger.debug('Labels not printed in one call; asking for a label task', { actId, ozonMessage: e.ozonMessage });
    return false;
  }
}

export const handler = stepHandler(LabelsInput, printLabels);
