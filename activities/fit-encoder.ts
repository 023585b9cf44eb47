import fs from 'node:fs/promises';
import path from 'node:path';
import type { FitEncoderInput, FitEncoderOutput } from '../common/contracts';
import { heartbeat } from '../lib/runtime/activity-progress';
import { openDuckDB } from '../lib/runtime/duckdb';
import { duckdbShare } from '../lib/runtime/duckdb-budget';
import { runStepOnce } from '../lib/runtime/run-dir';
import { runFiles, runSteps } from '../common/run-layout';
import { FITTED_ENCODERS, resultSettings } from '../common/run-config';
import { fitItem2Vec } from './encoders/item2vec/fit';
import { fitTfidfModel } from './encoders/tfidf/fit';

/**
 * Fits a per-run encoder model over all shards (item2vec vectors, TF-IDF vocabulary + SVD) once;
 * every shard's embedding activity then loads it from <runDir>/encoders/<encoder>/. Seeded from
 * the drop, so a retry writes the same model.
 */
export async function fitEncoder(input: FitEncoderInput): Promise<FitEncoderOutput> {
  const step = {
    runDir: input.runDir,
    step: runSteps.fit(input.encoder),
    madeFrom: { encoder: input.encoder, seed: input.seed, config: resultSettings(input.config) },
    upstream: [runSteps.shard],
    outputs: () => (input.encoder === 'item2vec'
      ? [runFiles.item2vecVectors(input.runDir)]
      : [runFiles.tfidfVectorizer(input.runDir), runFiles.tfidfComponents(input.runDir)]).map((file) => ({ file })),
  };
  return runStepOnce(step, async () => {
    const modelDir = runFiles.encoderModelDir(input.runDir, input.encoder);
    await fs.mkdir(modelDir, { recursive: true });
    const shardPaths = input.shards.map((shard) => shard.path);
    // The workflow fits every fitted encoder at once.
    const fittedAtOnce = input.config.encoders.filter((encoder) => FITTED_ENCODERS.includes(encoder)).length;
    const database = await openDuckDB(':memory:', duckdbShare(input.config, fittedAtOnce, path.join(runFiles.duckdbTemp(input.runDir), `fit-${input.encoder}`)));
    try {
      let stats: Record<string, number>;
      switch (input.encoder) {
        case 'item2vec':
          stats = await fitItem2Vec(database.connection, shardPaths, input.config, input.seed, runFiles.item2vecVectors(input.runDir), (share) => heartbeat({ trained: share }));
          break;
        case 'tfidf':
          stats = await fitTfidfModel(database.connection, shardPaths, input.config, input.seed, { vectorizerPath: runFiles.tfidfVectorizer(input.runDir), componentsPath: runFiles.tfidfComponents(input.runDir) });
          break;
        default:
          throw new Error(`encoder ${input.encoder} has no per-run model to fit`);
      }
      return { encoder: input.encoder, modelDir, stats };
    } finally {
      database.close();
    }
  });
}
