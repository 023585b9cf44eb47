/**
 * A KD-tree over the rows of a row-major Float32 matrix, for exact radius queries (DBSCAN).
 * Leaves hold up to LEAF_SIZE points; a node splits on its widest dimension at the median.
 * Distances are computed in float64. Memory: O(n) (an index permutation plus node bounds).
 */
const LEAF_SIZE = 16;

interface Node {
  start: number;
  end: number;
  /** Bounding box of the node's points, d values each. */
  low: Float64Array;
  high: Float64Array;
  left?: Node;
  right?: Node;
}

export class KdTree {
  private readonly order: Int32Array;
  private readonly root: Node;

  constructor(private readonly data: Float32Array, private readonly n: number, private readonly d: number) {
    this.order = Int32Array.from({ length: n }, (_, i) => i);
    this.root = this.build(0, n);
  }

  private build(start: number, end: number): Node {
    const { d, data, order } = this;
    const low = new Float64Array(d).fill(Infinity);
    const high = new Float64Array(d).fill(-Infinity);
    for (let p = start; p < end; p++) {
      const row = order[p] * d;
      for (let j = 0; j < d; j++) {
        const value = data[row + j];
        if (value < low[j]) low[j] = value;
        if (value > high[j]) high[j] = value;
      }
    }
    const node: Node = { start, end, low, high };
    if (end - start <= LEAF_SIZE) return node;
    let axis = 0;
    for (let j = 1; j < d; j++) if (high[j] - low[j] > high[axis] - low[axis]) axis = j;
    if (high[axis] === low[axis]) return node; // all points identical: keep as one leaf
    const slice = Array.from(order.subarray(start, end)).sort((a, b) => data[a * d + axis] - data[b * d + axis]);
    order.set(slice, start);
    const middle = (start + end) >>> 1;
    node.left = this.build(start, middle);
    node.right = this.build(middle, end);
    return node;
  }

  /**
   * Calls `visit(j)` for every row j with ||row_i - row_j|| <= radius (row i itself included);
   * stops early when `visit` returns true.
   */
  forEachWithin(i: number, radius: number, visit: (j: number) => boolean | void): void {
    const { d, data, order } = this;
    const radiusSquared = radius * radius;
    const row = i * d;
    const stack: Node[] = [this.root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      // Squared distance from the query point to the node's box: prune boxes beyond the radius.
      let boxDistance = 0;
      for (let j = 0; j < d && boxDistance <= radiusSquared; j++) {
        const value = data[row + j];
        const gap = value < node.low[j] ? node.low[j] - value : value > node.high[j] ? value - node.high[j] : 0;
        boxDistance += gap * gap;
      }
      if (boxDistance > radiusSquared) continue;
      if (node.left && node.right) {
        stack.push(node.right, node.left);
        continue;
      }
      for (let p = node.start; p < node.end; p++) {
        const other = order[p] * d;
        let distance = 0;
        for (let j = 0; j < d && distance <= radiusSquared; j++) {
          const diff = data[row + j] - data[other + j];
          distance += diff * diff;
        }
        if (distance <= radiusSquared && visit(order[p]) === true) return;
      }
    }
  }
}
