import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Frame, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalStack } from '../../src/dev/local-stack.ts';
import { createLogger } from '../../src/logging/create-logger.ts';
import { type GithubSandbox, startGithubSandbox } from '../../src/sandbox/github-sandbox.ts';
import type { Job } from '../../src/domain/job.ts';
import { jobWorkflowId } from '../../src/domain/job-id.ts';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/dev/temporal/dev-server.ts';
import { defaultSandboxRepos, INSTALLATION_ID, jobBody, OWNER } from '../support/e2e-stack.ts';
import { sandboxGithubEnv, startTestStack } from '../support/test-stack.ts';

// The README's screenshot is refreshed only on request (UPDATE_SCREENSHOT=1), so a test run leaves the tree clean.
const SCREENSHOT = process.env.UPDATE_SCREENSHOT
  ? fileURLToPath(new URL('../../docs/temporal-ui-job.png', import.meta.url))
  : join(tmpdir(), `temporal-ui-job-${process.pid}.png`);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const API_KEY = `key-${randomUUID()}`;
const WEBHOOK_SECRET = `whsec-${randomUUID()}`;
const SUMMARY = 'deploy api-service v1.2.3 → production / cluster-1';

let server: TemporalDevServer;
let sandbox: GithubSandbox;
let stack: LocalStack;
let browser: BrowserContext;
let profileDir: string;
let job: Job;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run node scripts/ensure-chromium.mjs (as root), or set CHROMIUM_PATH`);
  // A server of our own with the Web UI; the suite's shared one is headless.
  server = await startTemporalDevServer({ ui: true });
  sandbox = await startGithubSandbox({
    webhookSecret: WEBHOOK_SECRET,
    installations: [{ id: INSTALLATION_ID, account: OWNER }],
    repos: defaultSandboxRepos,
    stepDelayMs: 30,
  });
  stack = await startTestStack({
    env: {
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: server.namespace,
      TEMPORAL_TASK_QUEUE: `ui-${randomUUID()}`,
      ...sandboxGithubEnv(sandbox),
      GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      API_KEYS: API_KEY,
    },
    logger: createLogger({ level: 'silent' }),
  });
  sandbox.setWebhookUrl(`${stack.apiUrl}/api/github/webhook`);

  const body = jobBody();
  const created = await fetch(`${stack.apiUrl}/api/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body: JSON.stringify(body),
  });
  expect(created.status).toBe(201);
  job = await vi.waitFor(
    async () => {
      const current = (await (await fetch(`${stack.apiUrl}/api/v1/jobs/${body.id}`, { headers: { 'x-api-key': API_KEY } })).json()) as Job;
      expect(current.status).toBe('successful');
      return current;
    },
    { timeout: 60_000, interval: 100 },
  );

  profileDir = await mkdtemp(join(tmpdir(), 'gha-agent-chromium-'));
  // A fresh profile per run (the persistent-context API is how Playwright takes --user-data-dir).
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await sandbox?.close();
  await server?.stop();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
});

/** Reloads the filtered list until visibility has indexed the job (it lags the workflow by a moment). */
async function openFilteredList(page: Page, query: string): Promise<void> {
  const url = `${server.uiUrl}/namespaces/${server.namespace}/workflows?query=${encodeURIComponent(query)}`;
  // Each attempt loads the page and gives the link 3 s to show: about 20 attempts in all.
  await vi.waitFor(
    async () => {
      await page.goto(url);
      await page
        .getByRole('link', { name: jobWorkflowId(job.id) })
        .first()
        .waitFor({ timeout: 3000 })
        .catch(() => {
          throw new Error(`the Temporal UI never listed ${jobWorkflowId(job.id)} for ${query}`);
        });
    },
    { timeout: 70_000, interval: 100 },
  );
}

async function visibleInAnyFrame(page: Page, find: (frame: Frame) => Locator): Promise<boolean> {
  for (const frame of page.frames()) {
    if (
      await find(frame)
        .first()
        .isVisible()
        .catch(() => false)
    )
      return true;
  }
  return false;
}

describe('the Temporal UI', () => {
  it('lists the job under CtrlplaneJobStatus = "successful" and shows its summary and run link', async () => {
    const page = await browser.newPage();
    await openFilteredList(page, 'CtrlplaneJobStatus = "successful"');
    await page
      .getByRole('link', { name: jobWorkflowId(job.id) })
      .first()
      .click();
    await page.waitForURL(/\/workflows\/job-/);

    // Summary and details are on the User Metadata tab, rendered as markdown inside sandboxed iframes.
    await page.getByText('User Metadata', { exact: true }).first().click();
    await expect.poll(() => visibleInAnyFrame(page, (frame) => frame.getByText(SUMMARY, { exact: true })), { timeout: 20_000 }).toBe(true);
    expect(job.links.run).toMatch(/\/actions\/runs\/\d+$/);
    await expect.poll(() => visibleInAnyFrame(page, (frame) => frame.locator(`a[href="${job.links.run}"]`)), { timeout: 20_000 }).toBe(true);

    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    await page.close();
  });
});
