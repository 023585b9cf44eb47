import path from 'node:path';
import type { CandidateMetrics, EvaluateCandidatesInput, EvaluateCandidatesOutput } from '../common/contracts';
import type { EncoderName } from '../common/run-config';
import { writeJsonAtomic } from '../lib/atomic-write';
import { readLabelsFile } from '../lib/labels-file';
import { runStepOnce } from '../lib/run-dir';
import { heartbeat } from '../lib/activity-progress';
import { loadEmbeddingMatrix } from './embedding-matrix';
import { calinskiHarabasz, centroids, daviesBouldin, inertia, silhouetteScore, type Matrix } from './metrics/internal';

/**
 * Scores every sweep candidate with internal metrics in its encoder's space and picks one with
 * the documented selection rule (docs/EVALUATION.md): highest silhouette; ties within 0.005 go to
 * the smaller k (the simpler segmentation). Every candidate is scored on the same silhouette
 * sample, so their values are comparable.
 */
export const SILHOUETTE_TIE_MARGIN = 0.005;

export async function evaluateCandidates(input: EvaluateCandidatesInput): Promise<EvaluateCandidatesOutput> {
  return runStepOnce(input.runDir, 'evaluate', async () => {
    const matrices = new Map<string, { userIds: string[]; matrix: Matrix }>();
    const rows: CandidateMetrics[] = [];
    for (const clustering of input.clusterings) {
      const encoder = clustering.candidate.encoder;
      if (!matrices.has(encoder)) {
        matrices.set(encoder, await loadEmbeddingMatrix(input.embeddingPaths[encoder], encoder as EncoderName, input.config.pcaComponents));
      }
      const { userIds, matrix } = matrices.get(encoder)!;
      const labelled = await readLabelsFile(clustering.labelsPath);
      if (labelled.userIds.length !== userIds.length || labelled.userIds.some((id, i) => id !== userIds[i])) {
        throw new Error(`${clustering.labelsPath} is not aligned with the ${encoder} embeddings`);
      }
      const { labels } = labelled;
      const silhouetteResult = silhouetteScore(matrix, labels, input.config.silhouetteSampleSize, input.seed);
      rows.push({
        candidate: clustering.candidate,
        silhouette: silhouetteResult.value,
        silhouetteSampled: silhouetteResult.sampled,
        daviesBouldin: daviesBouldin(matrix, labels),
        calinskiHarabasz: calinskiHarabasz(matrix, labels),
        inertia: inertia(matrix, labels),
        clusterSizes: Array.from(centroids(matrix, labels).sizes),
        clusterSeconds: clustering.seconds,
      });
      heartbeat(rows.length);
    }
    const { chosen, reason } = selectCandidate(rows);
    const leaderboardPath = path.join(input.runDir, 'evaluation', 'leaderboard.json');
    await writeJsonAtomic(leaderboardPath, { selectionRule: describeSelectionRule(), chosen: chosen.candidate, rows });
    return { leaderboardPath, chosen: chosen.candidate, selectionReason: reason };
  });
}

export function describeSelectionRule(): string {
  return `highest silhouette; candidates within ${SILHOUETTE_TIE_MARGIN} of the best go to the smallest k`;
}

export function selectCandidate(rows: CandidateMetrics[]): { chosen: CandidateMetrics; reason: string } {
  if (rows.length === 0) throw new Error('no candidates to select from');
  const best = Math.max(...rows.map((row) => row.silhouette));
  const nearBest = rows.filter((row) => row.silhouette >= best - SILHOUETTE_TIE_MARGIN);
  nearBest.sort((a, b) => a.candidate.k - b.candidate.k || b.silhouette - a.silhouette);
  const chosen = nearBest[0];
  const reason =
    chosen.silhouette < best
      ? `silhouette ${chosen.silhouette.toFixed(4)} is within ${SILHOUETTE_TIE_MARGIN} of the best (${best.toFixed(4)}) and k=${chosen.candidate.k} is the smallest such k`
      : `highest silhouette (${chosen.silhouette.toFixed(4)}) of ${rows.length} candidates`;
  return { chosen, reason };
}
