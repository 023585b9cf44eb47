import type { DuckDBConnection } from '@duckdb/node-api';
import { runConfigError } from '../../../common/errors';
import type { EncodersConfig } from '../../../common/run-config';
import { writeJsonAtomic } from '../../../lib/runtime/atomic-write';
import { loadSql } from '../../../lib/runtime/duckdb';
import { writeEmbeddingFile } from '../../../lib/runtime/embedding-file';
import { documentTokens } from './documents';
import { fitTruncatedSvd } from './truncated-svd';
import { EmptyVocabularyError, fitTfidf, tfidfModelToJson, transformTfidf, type TfidfModel } from './vectorizer';

export interface TfidfModelPaths {
  vectorizerPath: string;
  componentsPath: string;
}

/**
 * Fits the TF-IDF vocabulary/idf and a truncated SVD once per run, on up to tfidfFitUsers users
 * spread evenly over the shards, and writes both for the shard steps. The SVD keeps
 * min(tfidfComponents, users - 1, terms - 1) components (a rank limit of small inputs).
 */
export async function fitTfidfModel(connection: DuckDBConnection, shardPaths: string[], config: EncodersConfig, seed: number, paths: TfidfModelPaths) {
  const perShard = Math.ceil(config.tfidfFitUsers / shardPaths.length);
  const docs: string[][] = [];
  for (const shardPath of shardPaths) {
    const reader = await connection.runAndReadAll(loadSql('encoders/tfidf_fit_sample.sql'), { shard_path: shardPath, max_users: perShard });
    for (const document of reader.getColumnsJS()[1]) docs.push(documentTokens(document as string | null));
  }
  const minDf = Math.min(config.tfidfMinDf, Math.max(1, docs.length));
  const vectorizer = fitVocabulary(docs, minDf, config);
  const terms = vectorizer?.terms.length ?? 0;
  if (!vectorizer || terms < 2) {
    throw runConfigError(
      `TF-IDF: only ${terms} term(s) appear in at least ${minDf} of the ${docs.length} users' sequences it was fitted on ` +
        `(tfidfMinDf=${config.tfidfMinDf}); it needs 2. Lower tfidfMinDf, or leave tfidf out of encoders`,
    );
  }
  const matrix = transformTfidf(vectorizer, docs);
  const components = Math.max(1, Math.min(config.tfidfComponents, matrix.rows - 1, matrix.cols - 1));
  const svd = fitTruncatedSvd(matrix, components, { seed });
  await writeJsonAtomic(paths.vectorizerPath, tfidfModelToJson(vectorizer));
  await writeEmbeddingFile(paths.componentsPath, {
    userIds: Array.from({ length: components }, (_, i) => `component-${i}`),
    vectors: Float32Array.from(svd.components),
    dimensions: matrix.cols,
  });
  return {
    fit_users: docs.length,
    terms: vectorizer.terms.length,
    components,
    explained_variance_ratio: svd.explainedVarianceRatio.reduce((sum, value) => sum + value, 0),
  };
}

/** The vectorizer, or undefined when minDf leaves no term (the caller says which setting to change). */
function fitVocabulary(docs: string[][], minDf: number, config: EncodersConfig): TfidfModel | undefined {
  try {
    return fitTfidf(docs, { ngramMax: 2, minDf, maxFeatures: config.tfidfMaxFeatures, sublinearTf: true });
  } catch (error) {
    if (error instanceof EmptyVocabularyError) return undefined;
    throw error;
  }
}
