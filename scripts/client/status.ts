import fs from 'node:fs/promises';
import { describe as describeLift, type Evidence } from '../../activities/evaluation/stable-lift';
import type { Client } from '@temporalio/client';
import type { HoldoutPartLift, PipelineProgress } from '../../common/contracts';
import type { ConnectionProfile } from '../../lib/client/connection-profile';
import { describeProgress } from '../../lib/client/pipeline-client';
import { workflowUiLink } from '../../lib/client/ui-link';
import { progressQuery, type segmentDataDrop } from '../../workflows';
import { describeError } from './run';
import { workflowIdForRun } from './resolve-run';

/** status [run]: recent runs, or one run's progress, outcome and row accounting. */
export async function statusCommand(client: Client, profile: ConnectionProfile, args: string[]): Promise<number> {
  if (args.length === 0) {
    let shown = 0;
    for await (const execution of client.workflow.list({ query: `WorkflowType = 'segmentDataDrop'` })) {
      const stage = execution.searchAttributes?.PipelineStage?.[0] ?? '';
      console.log(`${execution.startTime.toISOString()}  ${execution.status.name.padEnd(10)}  ${String(stage).padEnd(14)}  ${execution.workflowId}`);
      if (++shown >= 20) break;
    }
    if (shown === 0) console.log('no pipeline runs yet');
    return 0;
  }
  const workflowId = workflowIdForRun(args[0]);
  const handle = client.workflow.getHandle<typeof segmentDataDrop>(workflowId);
  const description = await handle.describe();
  console.log(`${workflowId}: ${description.status.name} (started ${description.startTime.toISOString()})`);
  console.log(`Temporal UI: ${workflowUiLink(profile, workflowId)}`);
  if (description.status.name === 'RUNNING') {
    const progress: PipelineProgress = await handle.query(progressQuery);
    console.log(describeProgress(progress));
    return 0;
  }
  try {
    const output = await handle.result();
    const { accounting } = output;
    console.log(`rows: ${accounting.rawRows} raw = ${accounting.cleanedRows} cleaned + ${accounting.quarantinedRows} quarantined ` +
      `${JSON.stringify(accounting.quarantineByReason)} + ${accounting.duplicateRows} duplicates; users ${accounting.users}, segmented ${accounting.sequencedUsers}; ` +
      `held out ${accounting.holdoutEvents} events of ${accounting.holdoutUsers} users`);
    console.log(`chosen: ${output.chosen.encoder} / ${output.chosen.algorithm} ${output.chosen.params}`);
    const evidence = await readEvidence(output.leaderboardPath);
    if (evidence) {
      console.log(`evidence: ${evidence.strength}. ${evidence.statement}`);
      const lift = (part: HoldoutPartLift | undefined) => (part?.ndcg10 ? describeLift(part.ndcg10) : 'n/a');
      console.log(`NDCG@10 lift over popularity: test users ${lift(evidence.test)} (not used to choose); validation users ${lift(evidence.validation)}`);
    }
    console.log(`report: ${output.reportPath}`);
    return 0;
  } catch (error) {
    console.log(`failed: ${describeError(error)}`);
    return 1;
  }
}

/** The evidence the leaderboard records (absent for runs evaluated before it existed, or a leaderboard not visible from here). */
async function readEvidence(leaderboardPath: string): Promise<Evidence | undefined> {
  const leaderboard = await fs.readFile(leaderboardPath, 'utf8').then((text) => JSON.parse(text) as { evidence?: Evidence | null }, () => undefined);
  return leaderboard?.evidence ?? undefined;
}
