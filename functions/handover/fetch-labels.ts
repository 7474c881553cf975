/**
 * FetchLabels: the label files of the chunks PrintLabels sent to label tasks, once Ozon has formed them
 * (`/v1/posting/fbs/package-label/get`), stored beside the act with the files printed in one call, and a manifest
 * naming each posting's file. Still forming is retried by the state machine; the first look waits LABEL_TASK_MS
 * after the request, the time Ozon usually takes, so a task costs one call to collect — and a carriage printed in
 * one call each chunk waits for nothing. Postings Ozon could not print (`unprinted_postings`, or a task that failed)
 * are listed for the seller.
 */
import * as z from 'zod/mini';
import { putLabelsFile } from '#shared/aws/s3';
import { now } from '#shared/clock';
import { eachLimited } from '#shared/each-limited';
import { LabelNotReady } from '#shared/errors';
import { stepHandler } from '#shared/handler';
import { ozon } from '#shared/ozon/client';
import { LabelsInput, LabelTask, PrintedLabels, Unprinted } from './print-labels';
import { labelProgress, labelTaskFiles } from './rules';

export const FetchInput = z.extend(LabelsInput, {
  labelTasks: z.array(LabelTask),
  printedLabels: z._default(z.array(PrintedLabels), []),
  unprinted: z.array(Unprinted),
  labelsRequestedAt: z.string(),
});
export type FetchInput = z.infer<typeof FetchInput>;

/** Ozon forms a label file in well under a minute (the sandbox: 30 s); looking sooner only costs a call. */
export const LABEL_TASK_MS = 30_000;

export async function fetchLabels(input: FetchInput) {
  if (input.labelTasks.length > 0 && now() < Date.parse(input.labelsRequestedAt) + LABEL_TASK_MS) {
    throw new LabelNotReady(`The labels of act ${input.actId} were asked for moments ago`);
  }
  const files = labelTaskFiles(input, input.actId);
  const unprinted: Unprinted[] = [...input.unprinted];
  const fileOf: Record<string, string> = {};
  // By the chunk's place in the act: the files printed in one call are stored already.
  const storedAt: string[] = [];
  for (const { chunk, key, postings } of input.printedLabels) {
    storedAt[chunk] = key;
    for (const postingNumber of postings) fileOf[postingNumber] = key;
  }
  let forming = 0;
  // Together, as the tasks were asked for (print-labels.ts): one by one, each waited its turn at the account's rate.
  // A file's name is its chunk's place in the act, whichever call answers first.
  await eachLimited([...input.labelTasks.entries()], async ([n, task]) => {
    const { result } = await ozon().call('labelTask', { task_id: task.taskId });
    const progress = labelProgress(result.status);
    if (progress === 'forming') {
      forming++;
      return;
    }
    const missed = new Map(
      result.unprinted_postings.flatMap((u) =>
        u.posting_number ? [[u.posting_number, u.msg || u.error || 'not printed'] as const] : [],
      ),
    );
    if (progress === 'failed' || !result.file_url) {
      const reason = result.error || `the label task ended ${result.status}`;
      unprinted.push(
        ...task.postings.map((postingNumber) => ({ postingNumber, reason: missed.get(postingNumber) ?? reason })),
      );
      return;
    }
    const chunk = task.chunk ?? n;
    const key = files.pdf(chunk);
    const pdf = await ozon().download(result.file_url);
    await putLabelsFile(key, pdf, 'application/pdf');
    storedAt[chunk] = key;
    for (const postingNumber of task.postings) {
      const reason = missed.get(postingNumber);
      if (reason) unprinted.push({ postingNumber, reason });
      else fileOf[postingNumber] = key;
    }
  });
  const stored = storedAt.filter((key) => key !== undefined);
  if (forming) throw new LabelNotReady(`${forming} label task(s) of act ${input.actId} are still forming`);
  await putLabelsFile(
    files.manifest,
    JSON.stringify({ actId: input.actId, labels: fileOf, unprinted }),
    'application/json',
  );
  return { ...input, labelFiles: stored, unprinted };
}

export const handler = stepHandler(FetchInput, fetchLabels);
