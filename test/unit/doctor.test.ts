/** `npm run doctor` against a fresh Ozon sandbox: what a seller sees before connecting a real key. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctor, runDoctor } from '../../local/doctor';
import { type OzonSandbox, startOzonSandbox } from '../../sandbox/index';

const KEY = { clientId: '836123', apiKey: 'sandbox-api-key-2f9c1e7a' };
let sandbox: OzonSandbox;

beforeAll(async () => {
  sandbox = await startOzonSandbox({ ...KEY, pushUrl: 'https://example.test/hook/token' });
});
afterAll(async () => {
  await sandbox?.close();
});

describe('doctor', () => {
  it('without credentials checks a fresh sandbox and says so; the sandbox key is ready', async () => {
    const saved = { id: process.env.OZON_CLIENT_ID, key: process.env.OZON_API_KEY };
    delete process.env.OZON_CLIENT_ID;
    delete process.env.OZON_API_KEY;
    const lines: string[] = [];

    const code = await doctor((l) => lines.push(l)).finally(() => {
      if (saved.id) process.env.OZON_CLIENT_ID = saved.id;
      if (saved.key) process.env.OZON_API_KEY = saved.key;
    });

    const out = lines.join('\n');
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^No OZON_CLIENT_ID\/OZON_API_KEY .*checking a freshly started Ozon sandbox instead\.$/);
    expect(out).toMatch(
      /roles: Posting FBS, Finance, Warehouse, Chat, Analytics, Notification, Roles, Prices & Stocks/,
    );
    expect(out).toMatch(/ok {4}the key is valid until \d{4}-\d\d-\d\d \(in 180 days\)/);
    // Publishing stock is part of the product now: its methods are required, not a warning.
    expect(out).toMatch(/ok {4}every method the product calls is allowed \(\d+\)/);
    expect(out).toMatch(/1020000075732000 {2}Склад FBS Москва {2}FBS/);
    expect(out).toMatch(/1020000075733000 .*rFBS/);
    expect(out).toMatch(/ok {4}the push URL receives TYPE_NEW_POSTING, TYPE_STATE_CHANGED, TYPE_POSTING_CANCELLED/);
    expect(lines.at(-1)).toBe('Ready.');
  });

  it('warns two weeks before the key expires', async () => {
    const in170days = Date.now() + 170 * 86_400_000;

    const result = await runDoctor({ ...KEY, apiUrl: sandbox.url, label: 'sandbox' }, in170days);

    expect(result.lines.join('\n')).toMatch(
      /warn {2}the key expires on \d{4}-\d\d-\d\d \(in (9|10) days\): replace it/,
    );
    expect(result.problems).toBe(0);
  });

  it('says in plain words that Ozon refused the key, and stops there', async () => {
    const result = await runDoctor({ ...KEY, apiKey: 'revoked', apiUrl: sandbox.url, label: 'sandbox' });

    expect(result.problems).toBe(1);
    expect(result.lines.join('\n')).toMatch(/FAIL {2}Ozon refused the key: .*Invalid Api-Key/);
    expect(result.lines.at(-1)).toBe('1 problem to fix before the product can work with this key.');
    expect(sandbox.calls.filter((c) => c.status === 403)).toHaveLength(1);
  });
});
