import type { ItemVectors } from './sgns';

/** How a user's item vectors are averaged into one user vector. */
export interface PoolingOptions {
  /** Weight per event type; a type not listed weighs 1. A weight of 0 ignores the type. */
  eventTypeWeights: Record<string, number>;
  /** Events after which an event's weight halves (the newest event has weight 1); 0 = no decay. */
  recencyHalfLife: number;
}

/**
 * Weights follow how much each event says about what the user wants: buying (4) > carting (2) >
 * favouriting (1.5) > looking (view, click: 1). remove_from_cart (0.5) still shows interest in
 * the item but a backed-off one, and search (0.5) is a weak, often item-less signal.
 * No recency decay: a segment describes the user's whole observed window, and a half-life
 * counted in events would treat a 5-event user and a 5,000-event user very differently.
 */
export const DEFAULT_POOLING_OPTIONS: PoolingOptions = {
  eventTypeWeights: { purchase: 4, cart: 2, fav: 1.5, view: 1, click: 1, remove_from_cart: 0.5, search: 0.5 },
  recencyHalfLife: 0,
};

/**
 * Writes the user's vector into `out` (length = vectors.dimensions): the weighted mean of the
 * unit-length item vectors of the user's events, L2-normalised. Events are ordered oldest to
 * newest; tokenRows[i] is the row of event i's item in `vectors.vectors` (-1 = no vector, e.g.
 * an item below minCount or a search). Item vectors are normalised first because SGNS vector
 * length tracks item frequency, and the event weights should decide the mix, not popularity.
 * Returns false, with `out` all zeros, when no event had a vector and a positive weight.
 * Allocates nothing, so it can run once per user over millions of users.
 */
export function poolUserVector(tokenRows: ArrayLike<number>, eventTypes: ArrayLike<string>, vectors: ItemVectors, options: PoolingOptions, out: Float32Array): boolean {
  const { dimensions } = vectors;
  if (tokenRows.length !== eventTypes.length) throw new RangeError(`poolUserVector: ${tokenRows.length} token rows but ${eventTypes.length} event types`);
  if (out.length !== dimensions) throw new RangeError(`poolUserVector: out has length ${out.length}, expected ${dimensions}`);
  out.fill(0);
  // Walk newest to oldest so the decay is one multiplication per event instead of a pow.
  const decayPerEvent = options.recencyHalfLife > 0 ? Math.pow(0.5, 1 / options.recencyHalfLife) : 1;
  let recency = 1;
  let pooled = false;
  for (let i = tokenRows.length - 1; i >= 0; i--, recency *= decayPerEvent) {
    const row = tokenRows[i];
    if (row < 0) continue;
    const offset = row * dimensions;
    if (offset + dimensions > vectors.vectors.length) throw new RangeError(`poolUserVector: row ${row} is outside the ${vectors.vocabulary.length} item vectors`);
    // hasOwn: a type named like an Object.prototype member ("constructor") must still weigh 1.
    const typeWeight = Object.hasOwn(options.eventTypeWeights, eventTypes[i]) ? options.eventTypeWeights[eventTypes[i]] : 1;
    const weight = typeWeight * recency;
    let squaredNorm = 0;
    for (let j = 0; j < dimensions; j++) squaredNorm += vectors.vectors[offset + j] * vectors.vectors[offset + j];
    if (!(weight > 0) || squaredNorm === 0) continue;
    const scale = weight / Math.sqrt(squaredNorm);
    for (let j = 0; j < dimensions; j++) out[j] += scale * vectors.vectors[offset + j];
    pooled = true;
  }
  // The mean's 1/sum(weights) disappears in the normalisation, so only the sum is kept.
  let squaredNorm = 0;
  for (let j = 0; j < dimensions; j++) squaredNorm += out[j] * out[j];
  if (!pooled || squaredNorm === 0) {
    out.fill(0);
    return false;
  }
  const inverseNorm = 1 / Math.sqrt(squaredNorm);
  for (let j = 0; j < dimensions; j++) out[j] *= inverseNorm;
  return true;
}
