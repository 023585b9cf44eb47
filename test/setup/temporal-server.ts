import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../lib/client/dev-server';
import { WORKFLOWS_SOURCE } from '../../workers/create-workers';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
    scratchDir: string;
  }
}

/**
 * Starts one real `temporal server start-dev` (headless, free port, throwaway SQLite state) and
 * bundles the workflows once, for every test file.
 */
let server: DevServer | undefined;
let scratchDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bseg-test-'));
  server = await startDevServer({ stateDir: path.join(scratchDir, 'temporal'), port: 'auto', headless: true, log: console.log });
  const workflowBundlePath = path.join(scratchDir, 'workflow-bundle.js');
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_SOURCE, logger: silentLogger });
  fs.writeFileSync(workflowBundlePath, code);
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('scratchDir', scratchDir);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (scratchDir && !process.env.BSEG_KEEP_TEST_DIR) fs.rmSync(scratchDir, { recursive: true, force: true });
}

const silentLogger = {
  log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined,
  warn: (message: string) => console.warn(message), error: (message: string) => console.error(message),
};
