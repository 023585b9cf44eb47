/**
 * Keeps the k smallest values seen so far in `smallest` (ascending, Infinity-filled to start):
 * the k-th nearest neighbour distance of DBSCAN's eps heuristic and HDBSCAN's core distance.
 */
export function keepSmallest(smallest: Float64Array, value: number): void {
  const last = smallest.length - 1;
  if (value >= smallest[last]) return;
  let slot = last;
  while (slot > 0 && smallest[slot - 1] > value) {
    smallest[slot] = smallest[slot - 1];
    slot--;
  }
  smallest[slot] = value;
}
