import { STANDARDIZED_ENCODERS, type EncoderName } from '../../common/run-config';
import { behaviorStatsEncoder } from './behavior-stats';
import type { EncoderContext, SequenceEncoder } from './encoder';
import { runFiles } from '../../common/run-layout';
import { item2vecEncoder } from './item2vec/encoder';
import { tfidfEncoder } from './tfidf/encoder';
import { transformerEncoder } from './transformer';

export async function createEncoder(name: EncoderName, context: EncoderContext): Promise<SequenceEncoder> {
  switch (name) {
    case 'behavior-stats':
      return behaviorStatsEncoder(context.connection);
    case 'transformer':
      return transformerEncoder(context);
    case 'item2vec':
      return item2vecEncoder(context, runFiles.item2vecVectors(context.runDir));
    case 'tfidf':
      return tfidfEncoder(context, { vectorizerPath: runFiles.tfidfVectorizer(context.runDir), componentsPath: runFiles.tfidfComponents(context.runDir) });
  }
}

/** Whether an encoder's vectors are z-scored over all users before clustering and evaluation. */
export function encoderStandardizes(name: EncoderName): boolean {
  return STANDARDIZED_ENCODERS.includes(name);
}
