import fs from 'node:fs/promises';
import { readEmbeddingFile } from '../../../lib/runtime/embedding-file';
import type { EncoderContext, SequenceEncoder } from '../encoder';
import { loadSql } from '../../../lib/runtime/duckdb';
import { documentTokens } from './documents';
import type { TfidfModelPaths } from './fit';
import { transformSvd, type TruncatedSvdModel } from './truncated-svd';
import { tfidfModelFromJson, transformTfidf, type TfidfModelJson } from './vectorizer';

/** Per-shard TF-IDF + SVD encoder (latent semantic analysis of behavior), L2-normalized like sklearn's LSA recipe. */
export async function tfidfEncoder(context: EncoderContext, paths: TfidfModelPaths): Promise<SequenceEncoder> {
  const vectorizer = tfidfModelFromJson(JSON.parse(await fs.readFile(paths.vectorizerPath, 'utf8')) as TfidfModelJson);
  const componentsFile = await readEmbeddingFile(paths.componentsPath);
  const dimensions = componentsFile.userIds.length;
  const svd: TruncatedSvdModel = {
    columns: componentsFile.dimensions,
    componentCount: dimensions,
    components: Float64Array.from(componentsFile.vectors),
    singularValues: new Float64Array(dimensions),
    explainedVariance: new Float64Array(dimensions),
    explainedVarianceRatio: new Float64Array(dimensions),
  };
  return {
    name: 'tfidf',
    dimensions,
    async encodeBatch(shardPath, fromRow, toRow) {
      const reader = await context.connection.runAndReadAll(loadSql('encoders/tfidf_documents.sql'), { shard_path: shardPath, from_row: fromRow, to_row: toRow });
      const [userIds, documents] = reader.getColumnsJS();
      const matrix = transformTfidf(vectorizer, documents.map((document) => documentTokens(document as string | null)));
      const vectors = transformSvd(svd, matrix);
      let emptyUsers = 0;
      for (let row = 0; row < userIds.length; row++) {
        const vector = vectors.subarray(row * dimensions, (row + 1) * dimensions);
        const norm = Math.hypot(...vector);
        if (norm > 0) for (let d = 0; d < dimensions; d++) vector[d] /= norm;
        else emptyUsers++;
      }
      return { userIds: userIds.map(String), vectors, dimensions, stats: { users: userIds.length, users_without_known_terms: emptyUsers } };
    },
  };
}
