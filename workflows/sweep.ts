import { patched } from '@temporalio/workflow';
import type { ClusterCandidateOutput, PipelineProgress, PipelineStage, ScoreCandidateInput, ScoreCandidateOutput, ScreenCandidateOutput } from '../common/contracts';
import type { SweepCandidate } from '../common/candidates';
import { candidatesToScoreFully, fullyScoredCount } from '../common/screening';
import type { activityProfiles } from './activity-profiles';
import { settleWithConcurrency } from './concurrency';

export interface SweptCandidate {
  clustering: ClusterCandidateOutput;
  score: ScoreCandidateOutput;
}

interface SweepOptions {
  candidates: SweepCandidate[];
  concurrency: number;
  budget: { share: number; min: number };
  cluster: (candidate: SweepCandidate) => Promise<ClusterCandidateOutput>;
  scoreInput: (clustering: ClusterCandidateOutput) => ScoreCandidateInput;
  activities: ReturnType<typeof activityProfiles>;
  progress: PipelineProgress;
  enterStage: (stage: PipelineStage) => void;
}

/**
 * Clusters every candidate and scores them: with successive halving (docs/EVALUATION.md) when the
 * budget is below the candidates — every candidate screened cheaply, the most promising scored
 * fully — else every candidate scored fully. Returns the fully scored ones in sweep order, and
 * the screens when there were any. The first failure ends the sweep.
 */
export async function sweepCandidates(options: SweepOptions): Promise<{ swept: SweptCandidate[]; screens?: ScreenCandidateOutput[] }> {
  const { candidates, progress, activities } = options;
  progress.candidatesTotal = candidates.length;
  // Histories recorded before successive halving scored every candidate fully: they replay that path.
  if (fullyScoredCount(candidates.length, options.budget) >= candidates.length || !patched('successive-halving')) {
    progress.fullyScoredTotal = candidates.length;
    const swept = await fanOut(candidates, options.concurrency, async (candidate) => {
      const clustering = await options.cluster(candidate);
      const score = await activities.evaluate.scoreCandidate(options.scoreInput(clustering));
      progress.candidatesDone++;
      progress.fullyScoredDone = progress.candidatesDone;
      return { clustering, score };
    });
    return { swept };
  }
  const screened = await fanOut(candidates, options.concurrency, async (candidate) => {
    const clustering = await options.cluster(candidate);
    const screen = await activities.evaluate.screenCandidate(options.scoreInput(clustering));
    progress.candidatesDone++;
    return { clustering, screen };
  });
  const screens = screened.map((entry) => entry.screen);
  const promising = new Set(candidatesToScoreFully(screens, options.budget));
  const toScore = screened.filter((entry) => promising.has(entry.screen));
  options.enterStage('score');
  progress.fullyScoredTotal = toScore.length;
  progress.fullyScoredDone = 0;
  const swept = await fanOut(toScore, options.concurrency, async ({ clustering }) => {
    const score = await activities.evaluate.scoreCandidate(options.scoreInput(clustering));
    progress.fullyScoredDone!++;
    return { clustering, score };
  });
  return { swept, screens };
}

/** Runs every item; throws the first failure (in item order) once all have settled, else returns the results in item order. */
async function fanOut<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const settled = await settleWithConcurrency(items, concurrency, task);
  const firstFailure = settled.find((result) => result.status === 'rejected');
  if (firstFailure) throw firstFailure.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<R>).value);
}
