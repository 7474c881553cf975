/**
 * The seller's inbox: every alert, as an SQS subscriber of the alerts topic would see it. With a data dir the
 * alerts are kept, so a run's summary counts the alerts of every posting in it, those from before a restart too.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { CompressedClock } from './clock';
import type { JsonLog } from './data-dir';
import { LOCAL_CREDENTIALS } from './dynamo-local';
import { LOCAL_REGION } from './template';

export interface ReceivedAlert {
  kind: string;
  severity: string;
  postingNumber: string;
  subject: string;
  message: string;
  at: number;
}

export interface Inbox {
  alerts: ReceivedAlert[];
  /** Called for every alert received from now on (not for those restored from the data dir). */
  onAlert(listener: (alert: ReceivedAlert) => void): void;
  stop(): Promise<void>;
}

interface Envelope {
  Subject?: string;
  Message?: string;
  MessageAttributes?: Record<string, { Value: string }>;
}

export function startInbox(options: {
  endpoint: string;
  queueUrl: string;
  clock: CompressedClock;
  log?: JsonLog<ReceivedAlert>;
}): Inbox {
  const { clock, log, queueUrl } = options;
  const alerts: ReceivedAlert[] = log?.entries() ?? [];
  const listeners: ((a: ReceivedAlert) => void)[] = [];
  const sqs = new SQSClient({ region: LOCAL_REGION, endpoint: options.endpoint, credentials: LOCAL_CREDENTIALS });
  let reading = true;
  const receive = (async () => {
    while (reading) {
      const { Messages = [] } = await sqs
        .send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }))
        .catch(() => ({ Messages: [] }));
      for (const m of Messages) {
        const envelope = JSON.parse(m.Body ?? '{}') as Envelope;
        const attr = (k: string) => envelope.MessageAttributes?.[k]?.Value ?? '';
        const alert = {
          kind: attr('kind'),
          severity: attr('severity'),
          postingNumber: attr('postingNumber'),
          subject: envelope.Subject ?? '',
          message: envelope.Message ?? '',
          at: clock.now(),
        };
        log?.append(alert);
        alerts.push(alert);
        for (const l of listeners) l(alert);
      }
      if (Messages.length) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
          }),
        );
      } else {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  })();
  return {
    alerts,
    onAlert: (listener) => listeners.push(listener),
    async stop() {
      reading = false;
      await receive;
      sqs.destroy();
    },
  };
}
