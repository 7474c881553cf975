/**
 * `npm run doctor`: checks an Ozon key before the product relies on it. It reads the key's roles and expiry
 * (`/v1/roles`), the warehouses (`/v2/warehouse/list`) and the push settings (`/v1/notification/list`) through the
 * product's own client, and says in plain words what is missing. Without credentials it checks a freshly started
 * Ozon sandbox and says so.
 */
import { existsSync } from 'node:fs';
import { useClock } from '#shared/clock';
import { ENDPOINTS, OzonClient } from '#shared/ozon/client';
import { startOzonSandbox } from '../sandbox/index';

const EXPIRY_WARNING_DAYS = 14;
/** The push types the product acts on (functions/intake/pushes.ts); without them it depends on the poller alone. */
const NEEDED_PUSHES = ['TYPE_NEW_POSTING', 'TYPE_STATE_CHANGED', 'TYPE_POSTING_CANCELLED'];
/** The package label is fetched outside the JSON endpoint table (it answers a PDF). */
const LABEL_PATH = '/v2/posting/fbs/package-label';

export interface DoctorTarget {
  clientId: string;
  apiKey: string;
  apiUrl: string;
  /** Shown in the first line: where the answers come from. */
  label: string;
}

export interface DoctorResult {
  lines: string[];
  /** Problems that stop the product from working (missing roles, an expired key, no warehouse). */
  problems: number;
  warnings: number;
}

export async function runDoctor(target: DoctorTarget, nowMs = Date.now()): Promise<DoctorResult> {
  const client = new OzonClient({
    baseUrl: target.apiUrl,
    credentials: async () => ({ clientId: target.clientId, apiKey: target.apiKey }),
    readOnly: true,
    attempts: 2,
    // A one-off check from a laptop: no table to share the account's rate budget with.
    sharedBudget: false,
  });
  const lines = [`Ozon doctor: ${target.label}, Client-Id ${target.clientId}`];
  let problems = 0;
  let warnings = 0;
  const ok = (s: string) => lines.push(`  ok    ${s}`);
  const warn = (s: string) => {
    warnings++;
    lines.push(`  warn  ${s}`);
  };
  const fail = (s: string) => {
    problems++;
    lines.push(`  FAIL  ${s}`);
  };

  lines.push('API key (/v1/roles)');
  let roles: Awaited<ReturnType<typeof client.call<'roles'>>>;
  try {
    roles = await client.call('roles', {});
  } catch (error) {
    fail(`Ozon refused the key: ${(error as Error).message}`);
    lines.push(summary(problems, warnings));
    return { lines, problems, warnings };
  }
  lines.push(`  roles: ${roles.roles.map((r) => r.name).join(', ') || 'none'}`);
  if (roles.expires_at) {
    const days = Math.floor((Date.parse(roles.expires_at) - nowMs) / 86_400_000);
    const when = `${roles.expires_at.slice(0, 10)} (in ${days} days)`;
    if (days < 0) fail(`the key expired on ${when}: create a new one in Settings → API keys`);
    else if (days < EXPIRY_WARNING_DAYS) warn(`the key expires on ${when}: replace it before then`);
    else ok(`the key is valid until ${when}`);
  } else warn('Ozon did not say when the key expires');
  const allowed = new Set(roles.roles.flatMap((r) => r.methods ?? []));
  const methods: { path: string; optionalFor?: string }[] = [...Object.values(ENDPOINTS), { path: LABEL_PATH }];
  const missing = methods.filter((m) => !allowed.has(m.path)).sort((a, b) => a.path.localeCompare(b.path));
  for (const m of missing) {
    const fix = 'give the key a role that includes it (Settings → API keys)';
    if (m.optionalFor) warn(`no role of this key allows ${m.path}, needed only for ${m.optionalFor}: ${fix}`);
    else fail(`no role of this key allows ${m.path}: ${fix}`);
  }
  if (!missing.length) ok(`every method the product calls is allowed (${methods.length})`);
  else if (missing.every((m) => m.optionalFor)) ok('every method the workflow calls is allowed');

  lines.push('Warehouses (/v2/warehouse/list)');
  const warehouses: { warehouse_id: number; name: string; status?: string | null; is_rfbs?: boolean | null }[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.call('warehouses', { limit: 200, cursor });
    warehouses.push(...page.warehouses);
    cursor = page.has_next ? page.cursor || undefined : undefined;
  } while (cursor);
  for (const w of warehouses) {
    lines.push(`  ${w.warehouse_id}  ${w.name}  ${w.is_rfbs ? 'rFBS' : 'FBS'}  ${w.status ?? ''}`.trimEnd());
  }
  if (warehouses.length === 0) fail('no warehouse: create an FBS or rFBS warehouse in the seller cabinet');
  else ok(`${warehouses.length} warehouse(s); stock in the product is kept per warehouse id`);

  lines.push('Push notifications (/v1/notification/list)');
  const { urls } = await client.call('notifications', {});
  const enabled = urls.filter((u) => u.enable !== false);
  for (const u of urls) {
    lines.push(
      `  ${u.enable === false ? 'disabled' : 'enabled '}  ${u.url}  ${(u.types ?? []).map((t) => t.type).join(', ')}`,
    );
  }
  if (enabled.length === 0) {
    fail(
      'no push URL is enabled: set <WebhookUrl><webhookToken> in Settings → Notifications (the poller alone is slower)',
    );
  } else {
    const types = new Set(enabled.flatMap((u) => (u.types ?? []).map((t) => t.type)));
    const absent = NEEDED_PUSHES.filter((t) => !types.has(t));
    if (absent.length) warn(`pushes not subscribed: ${absent.join(', ')}; the poller catches these up, but later`);
    else ok(`the push URL receives ${NEEDED_PUSHES.join(', ')}`);
  }
  lines.push(summary(problems, warnings));
  return { lines, problems, warnings };
}

const summary = (problems: number, warnings: number) =>
  problems === 0
    ? `Ready${warnings ? ` (${warnings} warning${warnings > 1 ? 's' : ''})` : ''}.`
    : `${problems} problem${problems > 1 ? 's' : ''} to fix before the product can work with this key.`;

/** The sandbox answers like Ozon, with a push URL set the way the local runtime sets it. */
const SANDBOX = { clientId: '836123', apiKey: 'sandbox-api-key-2f9c1e7a' };

/** The CLI entry: real credentials from the environment or `.env`, otherwise a fresh sandbox. */
export async function doctor(log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { OZON_CLIENT_ID, OZON_API_KEY, OZON_API_URL } = process.env;
  if (OZON_CLIENT_ID && OZON_API_KEY) {
    const result = await runDoctor({
      clientId: OZON_CLIENT_ID,
      apiKey: OZON_API_KEY,
      apiUrl: OZON_API_URL || 'https://api-seller.ozon.ru',
      label: 'real Ozon API',
    });
    for (const l of result.lines) log(l);
    return result.problems ? 1 : 0;
  }
  log('No OZON_CLIENT_ID/OZON_API_KEY (environment or .env): checking a freshly started Ozon sandbox instead.');
  useClock(undefined);
  const sandbox = await startOzonSandbox({ ...SANDBOX, pushUrl: 'http://127.0.0.1:3000/webhook/<token>' });
  try {
    const result = await runDoctor({ ...SANDBOX, apiUrl: sandbox.url, label: `Ozon sandbox at ${sandbox.url}` });
    for (const l of result.lines) log(l);
    return result.problems ? 1 : 0;
  } finally {
    await sandbox.close();
  }
}
