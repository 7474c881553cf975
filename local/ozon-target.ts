/**
 * Which Ozon the product talks to: the Ozon sandbox on the runtime's clock (restored from and kept in the data dir,
 * if there is one) or the real Seller API; and the environment that points the functions at it.
 */
import { type OzonSandbox, type SandboxOptions, startOzonSandbox } from '../sandbox/index';
import type { CompressedClock } from './clock';
import type { DataDir } from './data-dir';
import { recordSandboxCalls } from './records';

export type SandboxSettings = Partial<Omit<SandboxOptions, 'clock' | 'clientId' | 'apiKey' | 'stateFile' | 'pushUrl'>>;

export type OzonTarget =
  | { mode: 'sandbox'; sandbox?: SandboxSettings }
  | { mode: 'real'; clientId: string; apiKey: string; allowChanges: boolean; apiUrl?: string };

const SANDBOX_CREDENTIALS = { clientId: '836123', apiKey: 'sandbox-api-key-2f9c1e7a' };

/** What a data dir records as its owner: one sandbox, or one real seller account. */
export const ownerOf = (ozon: OzonTarget) => (ozon.mode === 'sandbox' ? 'sandbox' : (`real:${ozon.clientId}` as const));

export interface ConnectedOzon {
  sandbox?: OzonSandbox;
  environment: Record<string, string>;
  stop(): Promise<void>;
}

export async function connectOzon(
  ozon: OzonTarget,
  options: { clock: CompressedClock; pushUrl: string; dataDir?: DataDir },
): Promise<ConnectedOzon> {
  if (ozon.mode === 'real') {
    return {
      environment: {
        OZON_RETRY_BACKOFF_MS: '200-2000',
        OZON_API_URL: ozon.apiUrl ?? 'https://api-seller.ozon.ru',
        OZON_CLIENT_ID: ozon.clientId,
        OZON_API_KEY: ozon.apiKey,
        OZON_READ_ONLY: ozon.allowChanges ? 'false' : 'true',
      },
      stop: async () => {},
    };
  }
  const { clock, dataDir } = options;
  const sandbox = await startOzonSandbox({
    ...SANDBOX_CREDENTIALS,
    seed: 7,
    ...ozon.sandbox,
    // A courier picks FBS parcels up hours after assembly, not minutes.
    timing: { handover: 8 * 3600_000, ...ozon.sandbox?.timing },
    clock,
    pushUrl: options.pushUrl,
    stateFile: dataDir?.file('sandbox.json'),
  });
  if (dataDir) recordSandboxCalls(sandbox, clock, dataDir.log('sandbox-calls'));
  return {
    sandbox,
    environment: {
      // The sandbox's faults are random, not a real per-second window: retry at once (see ozon/client.ts).
      OZON_RETRY_BACKOFF_MS: '5-50',
      OZON_API_URL: sandbox.url,
      OZON_CLIENT_ID: SANDBOX_CREDENTIALS.clientId,
      OZON_API_KEY: SANDBOX_CREDENTIALS.apiKey,
      OZON_READ_ONLY: 'false',
    },
    stop: () => sandbox.close(),
  };
}
