/**
 * The operator's client: npm run client -- <command>
 *   run <path|glob> [--no-wait] [--set key=value]...   segment one data drop
 *   backfill --root <tree> --from D --to D [--concurrency N]
 *   status [run]                                       recent runs, or one run in detail
 *   retry-failed <run>                                 re-run failed shards only
 *   schedule create|pause|unpause|trigger|describe|delete [...]
 *   setup                                              namespace + search attributes on a cluster
 *   validate <path> [--json]                           ingestion + cleaning only (no server needed)
 * --set field=value (run, backfill, schedule create, validate), read by the field's type: a list as
 * a,b or a JSON array, a string as typed (seed=7 is "7"), numbers and booleans as written, an object
 * as JSON (docs/CONFIG.md, docs/OPERATIONS.md).
 * Connects with the profile in temporal-config/connection.json (TEMPORAL_* overrides).
 */
import { connectClient, loadConnectionProfile } from '../lib/client/connection-profile';
import { backfillCommand } from './client/backfill';
import { retryFailedCommand } from './client/retry-failed';
import { describeError, runCommand } from './client/run';
import { scheduleCommand } from './client/schedule';
import { setupCommand } from './client/setup';
import { statusCommand } from './client/status';
import { validateCommand } from './client/validate';

const [command, ...args] = process.argv.slice(2);
const profile = loadConnectionProfile();
let exitCode = 2;
try {
  if (command === 'validate') {
    exitCode = await validateCommand(args);
    process.exit(exitCode);
  }
  const client = await connectClient(profile);
  try {
    switch (command) {
      case 'run': exitCode = await runCommand(client, profile, args); break;
      case 'backfill': exitCode = await backfillCommand(client, profile, args); break;
      case 'status': exitCode = await statusCommand(client, profile, args); break;
      case 'retry-failed': exitCode = await retryFailedCommand(client, args); break;
      case 'schedule': exitCode = await scheduleCommand(client, args); break;
      case 'setup': exitCode = await setupCommand(client, profile); break;
      default:
        console.error('usage: npm run client -- run|backfill|status|retry-failed|schedule|setup|validate ... (see scripts/client.ts)\n' +
          '  --set field=value: a list as a,b or a JSON array, a string as typed, an object as JSON (docs/CONFIG.md)');
    }
  } finally {
    await client.connection.close();
  }
} catch (error) {
  console.error(`error: ${describeError(error)}`);
  exitCode = exitCode === 2 ? 1 : exitCode;
}
process.exit(exitCode);
