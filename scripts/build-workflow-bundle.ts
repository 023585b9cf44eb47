/** Pre-builds the workflow bundle for production workers: npm run build:workflows [-- out.js] */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { DEFAULT_WORKFLOW_BUNDLE, WORKFLOWS_SOURCE } from '../workers/create-workers';

const target = path.resolve(process.argv[2] ?? DEFAULT_WORKFLOW_BUNDLE);
const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_SOURCE });
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(`${target}.tmp`, code);
fs.renameSync(`${target}.tmp`, target);
console.log(`workflow bundle written to ${target} (${(code.length / 1024).toFixed(0)} KiB)`);
