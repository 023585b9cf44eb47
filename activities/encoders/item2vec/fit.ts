import type { DuckDBConnection } from '@duckdb/node-api';
import type { EncodersConfig } from '../../../common/run-config';
import { loadSql } from '../../../lib/runtime/duckdb';
import { writeEmbeddingFile } from '../../../lib/runtime/embedding-file';
import { trainItem2VecInSlices, type TokenCorpus } from './sgns';

export const ITEM_TOKEN = 'i:';
export const CATEGORY_TOKEN = 'c:';

/**
 * Trains item2vec once per run on up to item2vecFitUsers users spread evenly over the shards and
 * writes the vectors (token + vector, the embedding-file layout) to `vectorsPath`. The corpus holds
 * two sentences per user: the item sequence ("i:<item>") and the category sequence ("c:<category>"),
 * so categories get vectors too and stand in for items too rare (or too new to the sample) to have
 * their own. The sample bounds the training, which is single-threaded by design (see sgns.ts) and
 * costs about 50 s per 100k users on this machine: every user is still embedded with the vectors.
 */
export async function fitItem2Vec(connection: DuckDBConnection, shardPaths: string[], config: EncodersConfig, seed: number, vectorsPath: string, onProgress: (share: number) => void = () => {}) {
  const corpus = new CorpusBuilder();
  const perShard = Math.ceil(config.item2vecFitUsers / shardPaths.length);
  let fitUsers = 0;
  for (const shardPath of shardPaths) {
    const reader = await connection.runAndReadAll(loadSql('encoders/item_sequences.sql'), { shard_path: shardPath, max_users: perShard });
    fitUsers += reader.currentRowCount;
    for (const row of reader.getRowObjectsJS()) {
      corpus.addSentence((row.items as Array<string | null>).filter((item) => item !== null).map((item) => ITEM_TOKEN + item));
      corpus.addSentence((row.categories as Array<string | null>).filter((category) => category !== null).map((category) => CATEGORY_TOKEN + category));
    }
  }
  const built = corpus.build();
  const vectors = await trainItem2VecInSlices(built, {
    dimensions: config.item2vecDimensions,
    window: config.item2vecWindow,
    negatives: config.item2vecNegatives,
    epochs: config.item2vecEpochs,
    learningRate: 0.025,
    minCount: config.item2vecMinCount,
    subsample: 1e-3,
    seed,
  }, onProgress);
  await writeEmbeddingFile(vectorsPath, { userIds: vectors.vocabulary, vectors: vectors.vectors, dimensions: vectors.dimensions });
  return {
    fit_users: fitUsers,
    tokens: built.tokens.length,
    vocabulary: built.vocabulary.length,
    withVector: vectors.vocabulary.length,
    items: vectors.vocabulary.filter((token) => token.startsWith(ITEM_TOKEN)).length,
  };
}

/** Grows an integer-encoded corpus sentence by sentence (typed arrays, doubling). */
class CorpusBuilder {
  private idOf = new Map<string, number>();
  private vocabulary: string[] = [];
  private counts: number[] = [];
  private tokens = new Int32Array(1 << 16);
  private length = 0;
  private offsets: number[] = [0];

  addSentence(tokens: string[]): void {
    if (tokens.length < 2) return; // no context pairs
    if (this.length + tokens.length > this.tokens.length) {
      const grown = new Int32Array(Math.max(this.tokens.length * 2, this.length + tokens.length));
      grown.set(this.tokens.subarray(0, this.length));
      this.tokens = grown;
    }
    for (const token of tokens) {
      let id = this.idOf.get(token);
      if (id === undefined) {
        id = this.vocabulary.length;
        this.idOf.set(token, id);
        this.vocabulary.push(token);
        this.counts.push(0);
      }
      this.counts[id]++;
      this.tokens[this.length++] = id;
    }
    this.offsets.push(this.length);
  }

  build(): TokenCorpus {
    return {
      vocabulary: this.vocabulary,
      counts: Float64Array.from(this.counts),
      tokens: this.tokens.slice(0, this.length),
      offsets: Int32Array.from(this.offsets),
    };
  }
}
