/**
 * Records a workflow's event history as JSON for the replay (determinism) tests:
 *   npm run record-history -- <workflowId> test/fixtures/histories/<name>.json
 * Uses `temporal workflow show -o json` (the format Worker.runReplayHistory reads back through
 * historyFromJSON). Re-record after an intentional, versioned change to workflow code; an
 * unintended change that breaks replay is what test/unit/replay.test.ts exists to catch.
 */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { loadConnectionProfile } from '../lib/connection-profile';
import { provisionTemporalCli } from '../lib/temporal-cli';

const [workflowId, target] = process.argv.slice(2);
if (!workflowId || !target) {
  console.error('usage: npm run record-history -- <workflowId> <output.json>');
  process.exit(2);
}
const profile = loadConnectionProfile();
const json = execFileSync(provisionTemporalCli(), [
  'workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--address', profile.address, '--namespace', profile.namespace,
]).toString();
fs.writeFileSync(target, json);
console.log(`wrote ${JSON.parse(json).events.length} events of ${workflowId} to ${target}`);
