import { seededRandom } from '../../activities/clustering/random';

export interface PlantedSequenceOptions {
  groups: number;
  itemsPerGroup: number;
  sessions: number;
  minSessionLength: number;
  maxSessionLength: number;
  /** Share of a session's items drawn from the session's own group; the rest come from any group. */
  groupShare: number;
  /** Popularity within a group falls as 1 / rank^zipfExponent, so some items are rare. */
  zipfExponent: number;
  seed: number;
}

export const DEFAULT_PLANTED_SEQUENCE_OPTIONS: PlantedSequenceOptions = {
  groups: 8,
  itemsPerGroup: 40,
  sessions: 3000,
  minSessionLength: 8,
  maxSessionLength: 24,
  groupShare: 0.9,
  zipfExponent: 1,
  seed: 7,
};

export interface PlantedSequences {
  sequences: string[][];
  /** Item id `g<group>-i<rank>` -> its planted group. */
  groupOf: Map<string, number>;
}

/**
 * Sessions with planted item groups: each session picks one group and draws `groupShare` of its
 * items from it (Zipf popularity within the group), the rest uniformly from the whole catalogue.
 * Items co-occur mostly within their group, which is exactly what item2vec should recover.
 */
export function plantedItemSequences(overrides: Partial<PlantedSequenceOptions> = {}): PlantedSequences {
  const options = { ...DEFAULT_PLANTED_SEQUENCE_OPTIONS, ...overrides };
  const random = seededRandom(options.seed);
  const groupOf = new Map<string, number>();
  const items: string[][] = [];
  for (let g = 0; g < options.groups; g++) {
    items.push(Array.from({ length: options.itemsPerGroup }, (_, rank) => `g${g}-i${rank}`));
    for (const item of items[g]) groupOf.set(item, g);
  }
  const cumulative = zipfCumulative(options.itemsPerGroup, options.zipfExponent);
  const drawRank = () => {
    const u = random();
    let rank = 0;
    while (cumulative[rank] < u && rank < cumulative.length - 1) rank++;
    return rank;
  };
  const sequences: string[][] = [];
  for (let s = 0; s < options.sessions; s++) {
    const group = Math.floor(random() * options.groups);
    const length = options.minSessionLength + Math.floor(random() * (options.maxSessionLength - options.minSessionLength + 1));
    const session: string[] = [];
    for (let t = 0; t < length; t++) {
      if (random() < options.groupShare) session.push(items[group][drawRank()]);
      else session.push(items[Math.floor(random() * options.groups)][Math.floor(random() * options.itemsPerGroup)]);
    }
    sequences.push(session);
  }
  return { sequences, groupOf };
}

function zipfCumulative(n: number, exponent: number): Float64Array {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank++) total += 1 / Math.pow(rank + 1, exponent);
  let running = 0;
  for (let rank = 0; rank < n; rank++) {
    running += 1 / Math.pow(rank + 1, exponent);
    cumulative[rank] = running / total;
  }
  return cumulative;
}
