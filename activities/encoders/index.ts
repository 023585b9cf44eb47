import type { DuckDBConnection } from '@duckdb/node-api';
import type { EncoderName } from '../../common/run-config';
import { behaviorStatsEncoder } from './behavior-stats';
import type { SequenceEncoder } from './encoder';

export function createEncoder(name: EncoderName, connection: DuckDBConnection): SequenceEncoder {
  switch (name) {
    case 'behavior-stats':
      return behaviorStatsEncoder(connection);
  }
}

/** Whether an encoder's vectors are z-scored over all users before clustering and evaluation. */
export function encoderStandardizes(name: EncoderName): boolean {
  return name === 'behavior-stats';
}
