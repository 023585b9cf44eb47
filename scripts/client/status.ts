import fs from 'node:fs/promises';
import { describe as describeLift, type Evidence } from '../../activities/evaluation/stable-lift';
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import type { HoldoutPartLift, PipelineProgress } from '../../common/contracts';
import type { ConnectionProfile } from '../../lib/client/connection-profile';
import { describeProgress } from '../../lib/client/pipeline-client';
import { workflowUiLink } from '../../lib/client/ui-link';
import { progressQuery, type segmentDataDrop } from '../../workflows';
import { EXIT, describeError, exitCodeFor, outputFor, positiveInteger, runAction, withClient, withJsonOption } from './cli';
import { workflowIdForRun } from './resolve-run';
import { followDrop } from './run';

export interface StatusOptions {
  watch?: boolean;
  limit: number;
  json?: boolean;
}

export function registerStatusCommand(program: Command, profile: () => ConnectionProfile): void {
  const command = program.command('status')
    .summary('recent runs, or one run in detail')
    .description('Without a run: the most recent pipeline runs with their status and stage. With one: its progress, or its ' +
      'outcome (row accounting, chosen segmentation, evidence, report path). Exit 1 when the run failed, ' +
      '3 when it failed on its input or settings.')
    .argument('[run]', 'workflow id, drop id or drop path')
    .option('--watch', 'follow a running run with a progress bar until it ends, then print its outcome')
    .option('--limit <n>', 'how many recent runs to list', positiveInteger, 20);
  withJsonOption(command)
    .action((run: string | undefined, options: StatusOptions) => runAction(options, () => withClient(profile(), (client) => statusCommand(client, profile(), run, options))));
}

export async function statusCommand(client: Client, profile: ConnectionProfile, run: string | undefined, options: StatusOptions): Promise<number> {
  const out = outputFor(options);
  if (run === undefined) {
    const runs = [];
    for await (const execution of client.workflow.list({ query: `WorkflowType = 'segmentDataDrop'` })) {
      const stage = String(execution.searchAttributes?.PipelineStage?.[0] ?? '');
      runs.push({ workflowId: execution.workflowId, status: execution.status.name, stage, startTime: execution.startTime.toISOString() });
      out.say(`${execution.startTime.toISOString()}  ${execution.status.name.padEnd(10)}  ${stage.padEnd(14)}  ${execution.workflowId}`);
      if (runs.length >= options.limit) break;
    }
    if (runs.length === 0) out.say('no pipeline runs yet');
    out.result({ runs });
    return EXIT.ok;
  }
  const workflowId = workflowIdForRun(run);
  const handle = client.workflow.getHandle<typeof segmentDataDrop>(workflowId);
  const description = await handle.describe();
  const uiLink = workflowUiLink(profile, workflowId);
  const header = { workflowId, status: description.status.name, startTime: description.startTime.toISOString(), uiLink };
  out.say(`${workflowId}: ${description.status.name} (started ${header.startTime})`);
  out.say(`Temporal UI: ${uiLink}`);
  if (description.status.name === 'RUNNING') {
    if (options.watch) {
      const followed = await followDrop(handle, { ...out, say: () => undefined });
      if (followed.exitCode !== EXIT.ok) {
        out.result({ ...header, ...followed.json });
        return followed.exitCode;
      }
    } else {
      const progress: PipelineProgress = await handle.query(progressQuery);
      out.say(describeProgress(progress));
      out.result({ ...header, progress });
      return EXIT.ok;
    }
  }
  try {
    const output = await handle.result();
    const { accounting } = output;
    out.say(`rows: ${accounting.rawRows} raw = ${accounting.cleanedRows} cleaned + ${accounting.quarantinedRows} quarantined ` +
      `${JSON.stringify(accounting.quarantineByReason)} + ${accounting.duplicateRows} duplicates; users ${accounting.users}, segmented ${accounting.sequencedUsers}; ` +
      `held out ${accounting.holdoutEvents} events of ${accounting.holdoutUsers} users`);
    out.say(`chosen: ${output.chosen.encoder} / ${output.chosen.algorithm} ${output.chosen.params}`);
    const evidence = await readEvidence(output.leaderboardPath);
    if (evidence) {
      out.say(`evidence: ${evidence.strength}. ${evidence.statement}`);
      const lift = (part: HoldoutPartLift | undefined) => (part?.ndcg10 ? describeLift(part.ndcg10) : 'n/a');
      out.say(`NDCG@10 lift over popularity: test users ${lift(evidence.test)} (not used to choose); validation users ${lift(evidence.validation)}`);
    }
    out.say(`report: ${output.reportPath}`);
    out.result({ ...header, status: 'COMPLETED', output, evidence: evidence ?? null });
    return EXIT.ok;
  } catch (error) {
    const message = describeError(error);
    out.say(`failed: ${message}`);
    out.result({ ...header, error: message });
    return exitCodeFor(error) === EXIT.badInput ? EXIT.badInput : EXIT.failed;
  }
}

/** The evidence the leaderboard records (absent for runs evaluated before it existed, or a leaderboard not visible from here). */
async function readEvidence(leaderboardPath: string): Promise<Evidence | undefined> {
  const leaderboard = await fs.readFile(leaderboardPath, 'utf8').then((text) => JSON.parse(text) as { evidence?: Evidence | null }, () => undefined);
  return leaderboard?.evidence ?? undefined;
}
