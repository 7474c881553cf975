/**
 * The console in a real browser (headless Chromium, Debian's `chromium`; CHROMIUM_PATH to use another), on the
 * embedded runtime against the sandbox: a short-stock posting listed on Today, restocked from the console's form
 * and followed to its states passed; an action without the key refused; the AWS source read through the local
 * Step Functions API and DynamoDB Local. Each page's screenshot is saved to test-results/console/<page>.png, and
 * to docs/images/console-<page>.png (the README's) when UPDATE_SCREENSHOTS=1: a test run leaves the tree clean.
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStock } from '#stock/stock-store';
import { awsSource } from '../../console/aws-source';
import { findStack } from '../../console/aws-stack';
import { localSource } from '../../console/local-source';
import { postingViews } from '../../console/model';
import { type ConsoleServer, startConsole } from '../../console/server';
import { compressedHandover } from '../../local/compressed-handover';
import { type Runtime, startRuntime } from '../../local/runtime';
import { seedDemoStock } from '../../local/seed';
import { LOCAL_REGION } from '../../local/template';
import { DEFAULT_WAREHOUSES } from '../../sandbox/index';
import { statesEntered, until, waitForState } from '../integration/helpers';

const DAY = 24 * 3600_000;
const FBS_WAREHOUSE = DEFAULT_WAREHOUSES.find((w) => !w.is_rfbs)?.warehouse_id as number;
const SHORT_OFFER = 'NOTE-A5-DOT';
const ROOT = path.resolve(import.meta.dirname, '../..');
const IMAGES =
  process.env.UPDATE_SCREENSHOTS === '1' ? path.join(ROOT, 'docs/images') : path.join(ROOT, 'test-results/console');
const PREFIX = process.env.UPDATE_SCREENSHOTS === '1' ? 'console-' : '';

let rt: Runtime;
let server: ConsoleServer;
let browser: Browser;
let page: Page;
let shortPosting: string;

/** The page as the README shows it: the whole page, or its top `height` pixels. */
const screenshot = (name: string, height?: number) =>
  page.screenshot({
    path: path.join(IMAGES, `${PREFIX}${name}.png`),
    fullPage: true,
    ...(height ? { clip: { x: 0, y: 0, width: 1280, height } } : {}),
  });
const stateOf = (pn: string) => [...rt.engine.executions.values()].find((e) => e.name === pn);

beforeAll(async () => {
  mkdirSync(IMAGES, { recursive: true });
  // Carriages as in `npm start`; the short posting ships in 3 simulated days: minutes of real time to restock it.
  [rt, browser] = await Promise.all([
    startRuntime({
      speed: 2_000,
      ozon: { mode: 'sandbox', sandbox: { handoverByCarriage: true, timing: compressedHandover.sandboxTiming } },
      environment: compressedHandover.environment,
    }),
    chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' }),
  ]);
  await seedDemoStock(50, { [SHORT_OFFER]: 0 });
  server = await startConsole({ source: localSource(rt), language: 'en', port: 0 });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  for (let i = 0; i < 4; i++) rt.sandbox?.createPosting({ schema: i === 3 ? 'rfbs' : 'fbs' });
  shortPosting = rt.sandbox?.createPosting({
    lines: [{ offer_id: SHORT_OFFER, quantity: 2 }],
    shipmentSlaMs: 3 * DAY,
  })?.posting_number as string;
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rt?.stop();
});

describe('the console', { timeout: 60_000 }, () => {
  it('Today lists the short-stock posting with what to do and a restock form', async () => {
    await waitForState(rt, shortPosting, 'AwaitRestock');

    await page.goto(server.url);
    const row = page.locator(`tr[data-posting="${shortPosting}"][data-need="short_stock"]`);
    await row.waitFor();

    // The product's own alert text (out_of_stock), not the console's.
    await until(async () => ((await row.textContent())?.includes('Restock these items') ? true : undefined), 20_000);
    expect(await row.locator('form[data-action="restock"]').count()).toBe(0);
    expect(await row.textContent()).toContain('Sign in with the seller API key');
  });

  it('refuses an action without the key, and a form posted from another origin', async () => {
    const form = new URLSearchParams({ warehouseId: String(FBS_WAREHOUSE), offerId: SHORT_OFFER, quantity: '5' });
    const post = (origin: string) =>
      fetch(`${server.url}act/stock`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });

    const withoutKey = await post(server.url.replace(/\/$/, ''));
    const crossSite = await post('http://evil.example');

    expect(withoutKey.status).toBe(401);
    expect(crossSite.status).toBe(403);
    expect((await getStock(FBS_WAREHOUSE, [SHORT_OFFER])).get(SHORT_OFFER)?.onHand).toBe(0);
  });

  it('restocking from the console resumes the posting', async () => {
    await page.goto(`${server.url}signin`);
    await page.fill('input[name="key"]', rt.sellerApiKey);
    await page.click('form[action="/signin"] button');
    await page.waitForURL(server.url);
    const restock = page.locator(`tr[data-posting="${shortPosting}"] form[data-action="restock"]`);
    await restock.waitFor();
    await screenshot('today');

    await restock.locator('button').click();
    await page.locator('.flash.ok').waitFor();
    const resumed = await until(() => {
      const e = stateOf(shortPosting);
      return e && statesEntered(e).includes('ConfirmPosting') ? e : undefined;
    }, 30_000);

    expect(await page.locator('.flash.ok').textContent()).toContain('HTTP 200');
    expect(statesEntered(resumed).filter((s) => s === 'ReserveStock').length).toBeGreaterThanOrEqual(2);
    await page.locator(`tr[data-posting="${shortPosting}"][data-need="short_stock"]`).waitFor({ state: 'detached' });
  });

  it("a posting's journey shows the states it passed on the workflow's graph", async () => {
    await page.goto(`${server.url}postings/${shortPosting}`);
    await page.locator('svg.graph g.state.passed[data-state="ConfirmPosting"]').waitFor();

    const passed = await page
      .locator('svg.graph g.state.passed')
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-state')));
    // Read after the page: the execution goes on meanwhile, and every state the page shows passed was entered.
    const entered = statesEntered(stateOf(shortPosting) ?? ({ history: [] } as never));
    expect(entered).toEqual(expect.arrayContaining(passed));
    expect(passed).toEqual(
      expect.arrayContaining(['ReceivePosting', 'ReserveStock', 'AwaitRestock', 'ConfirmPosting']),
    );
    expect(await page.locator('svg.graph g.state.current').count()).toBe(1);
    expect(await page.locator('table.timeline').textContent()).toContain('AwaitRestock');
    expect(await page.locator('.panel.alerts').textContent()).toContain('out_of_stock');
    await screenshot('journey', 1700);
  });

  it('Postings searches by number and counts by phase; Figures shows the day', async () => {
    await page.goto(`${server.url}postings`);
    await until(async () => ((await page.locator('table.postings tbody tr').count()) >= 5 ? true : undefined));
    await screenshot('postings');

    await page.goto(`${server.url}postings?q=${shortPosting}`);
    expect(await page.locator('table.postings tbody tr').count()).toBe(1);

    await page.goto(`${server.url}figures`);
    expect(Number(await page.locator('[data-figure="received"] .big').textContent())).toBeGreaterThanOrEqual(5);
    await screenshot('figures');
  });

  it("speaks the seller's language once chosen", async () => {
    await page.goto(`${server.url}language/ru`);
    expect(await page.locator('h1').textContent()).toContain('Сегодня');

    await page.goto(`${server.url}language/zh`);
    expect(await page.locator('header nav').textContent()).toContain('订单');
    await page.goto(`${server.url}language/en`);
  });

  it('the AWS source finds the stack and reads the same through the Step Functions API and DynamoDB', async () => {
    const cloudFormation = await fakeCloudFormation(
      [{ key: 'SellerApiUrl', value: rt.sellerApiUrl }],
      [
        { type: 'AWS::DynamoDB::Table', id: rt.stack.table.name },
        ...rt.stack.machines.map((m) => ({ type: 'AWS::StepFunctions::StateMachine', id: m.arn })),
        { type: 'AWS::SNS::Topic', id: 'arn:aws:sns:eu-central-1:000000000000:alerts' },
      ],
    );
    process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = cloudFormation.url;
    const stack = await findStack('OzonAutopilot', LOCAL_REGION).finally(() => {
      delete process.env.AWS_ENDPOINT_URL_CLOUDFORMATION;
      cloudFormation.close();
    });
    const aws = awsSource(stack);

    const postings = await postingViews(aws);
    const journey = await aws.execution('OrderLifecycle', shortPosting);
    const [withState] = await aws.withLastStates(postings.map((p) => p.execution).slice(0, 1));

    expect(stack.tableName).toBe(rt.stack.table.name);
    expect(stack.sellerApiUrl).toBe(rt.sellerApiUrl);
    expect(postings.map((p) => p.postingNumber)).toContain(shortPosting);
    expect(postings.find((p) => p.postingNumber === shortPosting)?.order?.lines[0]?.offerId).toBe(SHORT_OFFER);
    expect(journey?.history.filter((h) => h.type === 'StateEntered').map((h) => h.state)).toEqual(
      expect.arrayContaining(['AwaitRestock', 'ConfirmPosting']),
    );
    expect(await aws.definition('OrderLifecycle')).toEqual(rt.stack.definition);
    expect(withState?.lastState).toBeTruthy();
    expect(aws.executionLink(journey?.arn ?? '')).toContain(`region=${LOCAL_REGION}#/v2/executions/details/`);
    expect((await aws.alerts(shortPosting)).map((a) => a.kind)).toContain('out_of_stock');
  });
});

/**
 * CloudFormation's query protocol on loopback, answering DescribeStacks and ListStackResources (one page each) for
 * one stack: what `findStack` asks of the real one.
 */
async function fakeCloudFormation(
  outputs: { key: string; value: string }[],
  resources: { type: string; id: string }[],
) {
  const answers: Record<string, string> = {
    DescribeStacks: `<Stacks><member><StackName>OzonAutopilot</StackName><StackStatus>UPDATE_COMPLETE</StackStatus>
      <CreationTime>2026-11-01T00:00:00Z</CreationTime><Outputs>${outputs
        .map((o) => `<member><OutputKey>${o.key}</OutputKey><OutputValue>${o.value}</OutputValue></member>`)
        .join('')}</Outputs></member></Stacks>`,
    ListStackResources: `<StackResourceSummaries>${resources
      .map(
        (r, i) => `<member><LogicalResourceId>R${i}</LogicalResourceId><PhysicalResourceId>${r.id}</PhysicalResourceId>
        <ResourceType>${r.type}</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus>
        <LastUpdatedTimestamp>2026-11-01T00:00:00Z</LastUpdatedTimestamp></member>`,
      )
      .join('')}</StackResourceSummaries>`,
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const action = new URLSearchParams(body).get('Action') ?? '';
      const result = answers[action];
      res.writeHead(result ? 200 : 400, { 'content-type': 'text/xml' });
      const ns = 'xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"';
      res.end(
        result
          ? `<${action}Response ${ns}><${action}Result>${result}</${action}Result></${action}Response>`
          : `<ErrorResponse ${ns}><Error><Code>InvalidAction</Code><Message>${action}</Message></Error></ErrorResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}
