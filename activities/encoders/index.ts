import type { EncoderName } from '../../common/run-config';
import { behaviorStatsEncoder } from './behavior-stats';
import type { EncoderContext, SequenceEncoder } from './encoder';
import { transformerEncoder } from './transformer';

export async function createEncoder(name: EncoderName, context: EncoderContext): Promise<SequenceEncoder> {
  switch (name) {
    case 'behavior-stats':
      return behaviorStatsEncoder(context.connection);
    case 'transformer':
      return transformerEncoder(context);
    case 'item2vec':
    case 'tfidf':
      throw new Error(`encoder ${name} is not wired yet`);
  }
}

/** Whether an encoder's vectors are z-scored over all users before clustering and evaluation. */
export function encoderStandardizes(name: EncoderName): boolean {
  return name === 'behavior-stats';
}
