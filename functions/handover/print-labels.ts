/**
 * PrintLabels: the carriage's labels in label tasks (`/v2/posting/fbs/package-label/create`), up to 20 postings
 * each — one task for a whole small carriage instead of a label call per posting. Ozon forms the files
 * asynchronously; FetchLabels collects them. A task Ozon refuses leaves its postings to be printed in the cabinet.
 */
import * as z from 'zod/mini';
import { nowIso } from '#shared/clock';
import { eachLimited } from '#shared/each-limited';
import { OzonRequestRejected } from '#shared/errors';
import { logger, stepHandler } from '#shared/handler';
import { ozon } from '#shared/ozon/client';
import { ActInput } from './check-act';
import { labelChunks } from './rules';

export const LabelsInput = z.extend(ActInput, {
  parcels: z.number(),
  postings: z._default(z.array(z.string()), []),
  removed: z._default(z.array(z.string()), []),
});
export type LabelsInput = z.infer<typeof LabelsInput>;

export const LabelTask = z.object({ taskId: z.number(), postings: z.array(z.string()) });
export const Unprinted = z.object({ postingNumber: z.string(), reason: z.string() });
export type Unprinted = z.infer<typeof Unprinted>;

export async function printLabels(input: LabelsInput) {
  const chunks = labelChunks(input.postings);
  // One outcome per chunk, in the act's order (the label files are numbered by it). The calls go out together: one
  // after the other, each waited its turn at the account's rate behind everything else, and on a busy day a
  // carriage of hundreds had its labels asked for after it had left.
  const outcomes: ({ task: z.infer<typeof LabelTask> } | { unprinted: Unprinted[] })[] = [];
  await eachLimited([...chunks.entries()], async ([i, postings]) => {
    try {
      const { result } = await ozon().call('labelTasks', { posting_number: postings });
      // One task per label size; the big label is the one a drop-off point scans.
      const task = result.tasks.find((t) => t.task_type === 'big_label') ?? result.tasks[0];
      outcomes[i] = task
        ? { task: { taskId: task.task_id, postings } }
        : { unprinted: postings.map((postingNumber) => ({ postingNumber, reason: 'Ozon made no label task' })) };
    } catch (e) {
      if (!(e instanceof OzonRequestRejected)) throw e;
      logger.warn('Ozon refused a label task', { actId: input.actId, message: e.ozonMessage });
      outcomes[i] = { unprinted: postings.map((postingNumber) => ({ postingNumber, reason: e.ozonMessage })) };
    }
  });
  const tasks = outcomes.flatMap((o) => ('task' in o ? [o.task] : []));
  const unprinted = outcomes.flatMap((o) => ('unprinted' in o ? o.unprinted : []));
  return { ...input, labelTasks: tasks, unprinted, labelsRequestedAt: nowIso() };
}

export const handler = stepHandler(LabelsInput, printLabels);
