/**
 * The operator's client: npm run client -- <command>
 *   run <path|glob> [--no-wait] [--set key=value]...   segment one data drop
 *   backfill --root <tree> --from D --to D [--concurrency N]
 *   status [run]                                       recent runs, or one run in detail
 *   retry-failed <run>                                 re-run failed shards only
 *   schedule create|pause|unpause|trigger|describe|delete [...]
 *   setup                                              namespace + search attributes on a cluster
 *   validate <path> [--json]                           ingestion + cleaning only (no server needed)
 *   verify <run> [--json]                              every checkpoint and output against its digest (no server needed)
 *   repair <run>                                       recompute exactly the steps verify finds damaged or stale, and their dependents
 *   models list [pipeline] | show <pipeline> [version] | promote <pipeline> <version>  [--json]   the segment model registry (no server needed)
 *   drift <pipeline> [--json]                          per drop: mode, model version, drift score, transitions, largest migrations (no server needed)
 * run --recompute: run a finished drop again (its files or the settings changed); unchanged steps are reused.
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
import { verifyCommand } from './client/verify';
import { repairCommand } from './client/repair';
import { modelsCommand, modelsOptionsFrom } from './client/models';
import { driftCommand, driftOptionsFrom } from './client/drift';

const [command, ...args] = process.argv.slice(2);
const profile = loadConnectionProfile();
let exitCode = 2;
try {
  if (command === 'validate' || command === 'verify') {
    exitCode = await (command === 'validate' ? validateCommand : verifyCommand)(args);
    process.exit(exitCode);
  }
  if (command === 'models') {
    exitCode = await modelsCommand(modelsOptionsFrom(args));
    process.exit(exitCode);
  }
  if (command === 'drift') {
    exitCode = await driftCommand(driftOptionsFrom(args));
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
      case 'repair': exitCode = await repairCommand(client, args); break;
      case 'setup': exitCode = await setupCommand(client, profile); break;
      default:
        console.error('usage: npm run client -- run|backfill|status|retry-failed|schedule|setup|validate|verify|repair|models|drift ... (see scripts/client.ts)\n' +
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
