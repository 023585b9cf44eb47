import { Command } from 'commander';
import { loadConnectionProfile, type ConnectionProfile } from '../../lib/client/connection-profile';
import { registerBackfillCommand } from './backfill';
import { registerRepairCommand } from './repair';
import { registerReportCommand } from './report';
import { registerRetryFailedCommand } from './retry-failed';
import { registerRunCommand } from './run';
import { registerScheduleCommand } from './schedule';
import { registerSetupCommand } from './setup';
import { registerStatusCommand } from './status';
import { registerValidateCommand } from './validate';
import { registerVerifyCommand } from './verify';
import { registerModelsCommand } from './models';
import { registerDriftCommand } from './drift';

export const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  what it ran failed (the workflow failed, a backfill day failed, verify found steps that do not hold)
  2  usage error: unknown command or option, missing argument (the nearest valid one is suggested)
  3  bad input or settings: a --set value, a drop that cannot be read, a run that has not finished
  4  no Temporal server answered at the profile's address
  5  run: shards failed and the run waits for \`retry-failed\`

Connects with temporal-config/connection.json (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ... override it);
validate, verify, report, models and drift need no server. docs/OPERATIONS.md has more.`;

/** The client's command line: every command, its options and help, as commander parses them. */
export function buildClientProgram(): Command {
  let profile: ConnectionProfile | undefined;
  // Read when a command connects, so --help and the offline commands work without a profile.
  const connectionProfile = () => (profile ??= loadConnectionProfile());
  const program = new Command('client')
    .usage('<command> [options]   (npm run client -- <command> [options])')
    .description('Operate the behavior-segmentation pipeline: start and follow runs, inspect, verify and repair them, schedule inbox scans.')
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureHelp({ sortSubcommands: false, showGlobalOptions: false })
    .addHelpText('after', EXIT_CODES_HELP);
  registerRunCommand(program, connectionProfile);
  registerStatusCommand(program, connectionProfile);
  registerReportCommand(program);
  registerBackfillCommand(program, connectionProfile);
  registerRetryFailedCommand(program, connectionProfile);
  registerScheduleCommand(program, connectionProfile);
  registerValidateCommand(program);
  registerVerifyCommand(program);
  registerRepairCommand(program, connectionProfile);
  registerSetupCommand(program, connectionProfile);
  registerModelsCommand(program);
  registerDriftCommand(program);
  return program;
}
