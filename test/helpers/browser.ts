import fs from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { projectPath } from '../../lib/paths';

/** Debian's chromium (.ci/run installs it); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots and other files the browser tests leave to look at (gitignored). */
export const TEST_OUTPUT = projectPath('test-output');

export interface OpenedPage {
  page: Page;
  /** Console errors, page errors and failed requests, as text. */
  errors: string[];
  /** Dialogs the page opened (a script from the data would say so). */
  dialogs: string[];
}

/**
 * Opens a local HTML file in headless Chromium and runs `body` on it. Fails at once, saying how to
 * install it, when Chromium is missing: these tests are not skipped.
 */
export async function withPage<T>(file: string, body: (opened: OpenedPage) => Promise<T>): Promise<T> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`headless Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install -y --no-install-recommends chromium; .ci/run does) or set CHROMIUM_PATH`);
  }
  const browser: Browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--headless', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    const opened: OpenedPage = { page, errors: [], dialogs: [] };
    page.on('console', (message) => { if (message.type() === 'error') opened.errors.push(`console: ${message.text()}`); });
    page.on('pageerror', (error) => opened.errors.push(`page error: ${String(error)}`));
    page.on('requestfailed', (request) => opened.errors.push(`request failed: ${request.url()}`));
    page.on('dialog', (dialog) => { opened.dialogs.push(dialog.message()); void dialog.dismiss(); });
    await page.setViewport({ width: 1400, height: 1000 });
    await page.goto(`file://${path.resolve(file)}`, { waitUntil: 'load' });
    return await body(opened);
  } finally {
    await browser.close();
  }
}

/** A full-page screenshot `<name>.png` under test-output/, with the page itself beside it as `<name>.html`. */
export async function screenshot(page: Page, file: string, name: string): Promise<string> {
  fs.mkdirSync(TEST_OUTPUT, { recursive: true });
  fs.copyFileSync(file, path.join(TEST_OUTPUT, `${name}.html`));
  const target = path.join(TEST_OUTPUT, `${name}.png`);
  await page.screenshot({ path: target as `${string}.png`, fullPage: true });
  return target;
}
