import { largestEigenpairs, type SymmetricOperator } from '../linear-algebra/lanczos';
import { forEachNearestNeighbors } from './nearest-neighbors';

/**
 * The spectral embedding of m points (scikit-learn's spectral_embedding of the affinity that
 * SpectralClustering(affinity='nearest_neighbors') builds; von Luxburg 2007, "A tutorial on
 * spectral clustering"):
 *  - the k-nearest-neighbour connectivity graph C (each point's `neighbors` nearest points, itself
 *    included) made symmetric as A = (C + C^T) / 2; self-loops play no part (scipy's laplacian);
 *  - the k eigenvectors u of the normalized Laplacian L = I - D^-1/2 A D^-1/2 with the smallest
 *    eigenvalues, found per connected component (the spectrum of a disconnected graph is the
 *    union of its components', and each component's eigenvalue 0 has the known vector D^1/2 1;
 *    the others by Lanczos, linear-algebra/lanczos.ts);
 *  - the rows of D^-1/2 u: one per point, k columns, row-major float32 (what k-means takes).
 */
export async function spectralEmbedding(sample: Float32Array, m: number, d: number, neighbors: number, k: number, random: () => number) {
  return embeddingOf(await affinityGraph(sample, m, d, neighbors), k, random);
}

/** The symmetric affinity A = (C + C^T) / 2 without its diagonal, in compressed rows. */
interface Graph {
  size: number;
  starts: Int32Array;
  columns: Int32Array;
  weights: Float64Array;
}

async function affinityGraph(sample: Float32Array, m: number, d: number, neighbors: number): Promise<Graph> {
  const rows = Array.from({ length: m }, () => new Map<number, number>());
  await forEachNearestNeighbors(sample, m, sample, m, d, neighbors, (i, indices) => {
    for (const j of indices) {
      if (j === i) continue;
      rows[i].set(j, (rows[i].get(j) ?? 0) + 0.5);
      rows[j].set(i, (rows[j].get(i) ?? 0) + 0.5);
    }
  });
  const starts = new Int32Array(m + 1);
  rows.forEach((row, i) => (starts[i + 1] = starts[i] + row.size));
  const columns = new Int32Array(starts[m]);
  const weights = new Float64Array(starts[m]);
  rows.forEach((row, i) => {
    // Sorted columns: the sums below run in one order, whatever order the edges were found in.
    [...row.keys()].sort((a, b) => a - b).forEach((j, offset) => {
      columns[starts[i] + offset] = j;
      weights[starts[i] + offset] = row.get(j)!;
    });
  });
  return { size: m, starts, columns, weights };
}

/** Connected components, each a list of its points ascending, in the order of their first point. */
function connectedComponents(graph: Graph): Int32Array[] {
  const seen = new Uint8Array(graph.size);
  const components: Int32Array[] = [];
  for (let first = 0; first < graph.size; first++) {
    if (seen[first]) continue;
    const members = [first];
    seen[first] = 1;
    for (let next = 0; next < members.length; next++) {
      const i = members[next];
      for (let e = graph.starts[i]; e < graph.starts[i + 1]; e++) {
        const j = graph.columns[e];
        if (!seen[j]) {
          seen[j] = 1;
          members.push(j);
        }
      }
    }
    components.push(Int32Array.from(members).sort());
  }
  return components;
}

interface Eigenvector {
  value: number;
  component: number;
  /** Over the component's points, in its order. */
  vector: Float64Array;
}

async function embeddingOf(graph: Graph, k: number, random: () => number) {
  const degrees = new Float64Array(graph.size);
  for (let i = 0; i < graph.size; i++) for (let e = graph.starts[i]; e < graph.starts[i + 1]; e++) degrees[i] += graph.weights[e];
  // An isolated point's Laplacian row is 0 (scipy's csgraph.laplacian): its indicator is an eigenvector for 0.
  const rootDegrees = degrees.map((degree) => (degree > 0 ? Math.sqrt(degree) : 1));
  const components = connectedComponents(graph);
  const nullVectors: Eigenvector[] = components.map((members, component) => ({ value: 0, component, vector: unit(Float64Array.from(members, (i) => rootDegrees[i])) }));
  // Eigenvalue 0 has one vector per component; with k components or more, no other eigenvector is needed.
  const others: Eigenvector[] = [];
  let lanczosSteps = 0;
  if (components.length < k) {
    for (const [component, members] of components.entries()) {
      const count = Math.min(k - 1, members.length - 1);
      if (count < 1) continue;
      const operator = affinityOperator(graph, members, rootDegrees);
      const pairs = await largestEigenpairs(operator, { count, random, deflated: [nullVectors[component].vector] });
      lanczosSteps += pairs.steps;
      pairs.vectors.forEach((vector) => others.push({ value: Math.max(0, 1 - operator.rayleigh(vector)), component, vector }));
    }
  }
  // Among the 0s, a larger component first: a tiny outlying group must not crowd out the main ones.
  nullVectors.sort((a, b) => components[b.component].length - components[a.component].length || a.component - b.component);
  others.sort((a, b) => a.value - b.value || a.component - b.component);
  const chosen = [...nullVectors, ...others].slice(0, k);
  const rows = new Float32Array(graph.size * k);
  chosen.forEach(({ component, vector }, column) => {
    components[component].forEach((i, local) => (rows[i * k + column] = vector[local] / rootDegrees[i]));
  });
  return { rows, components: components.length, eigenvalues: chosen.map((pair) => pair.value), lanczosSteps };
}

/**
 * Lanczos runs on S = ((I + N) / 2)^POWER with N = D^-1/2 A D^-1/2: the same eigenvectors in the same
 * order (x -> ((1 + x) / 2)^POWER increases on N's spectrum [-1, 1]), but the wanted eigenvalues,
 * packed just under 1 in N, spread apart by about a factor POWER relative to the rest, so Lanczos
 * needs about sqrt(POWER) times fewer steps (measured on the benchmark sets: 2-3x fewer, 3-5x faster);
 * a step's extra sparse products cost less than the reorthogonalization they save.
 */
const POWER = 16;

/** S (above) and N's Rayleigh quotient x^T N x, on one component's points (local indices). */
function affinityOperator(graph: Graph, members: Int32Array, rootDegrees: Float64Array): SymmetricOperator & { rayleigh(x: Float64Array): number } {
  const local = new Map<number, number>();
  members.forEach((i, position) => local.set(i, position));
  const size = members.length;
  const starts = new Int32Array(size + 1);
  members.forEach((i, position) => (starts[position + 1] = starts[position] + graph.starts[i + 1] - graph.starts[i]));
  const columns = new Int32Array(starts[size]);
  const weights = new Float64Array(starts[size]);
  members.forEach((i, position) => {
    for (let e = graph.starts[i], out = starts[position]; e < graph.starts[i + 1]; e++, out++) {
      const j = graph.columns[e];
      columns[out] = local.get(j)!;
      weights[out] = graph.weights[e] / (rootDegrees[i] * rootDegrees[j]);
    }
  });
  const normalized = (x: Float64Array, out: Float64Array) => {
    for (let a = 0; a < size; a++) {
      let sum = 0;
      for (let e = starts[a]; e < starts[a + 1]; e++) sum += weights[e] * x[columns[e]];
      out[a] = sum;
    }
  };
  const scratch = new Float64Array(size);
  return {
    size,
    apply(x, out) {
      out.set(x);
      for (let step = 0; step < POWER; step++) {
        normalized(out, scratch);
        for (let a = 0; a < size; a++) out[a] = (out[a] + scratch[a]) / 2;
      }
    },
    rayleigh(x) {
      normalized(x, scratch);
      let sum = 0;
      for (let a = 0; a < size; a++) sum += x[a] * scratch[a];
      return sum;
    },
  };
}

function unit(vector: Float64Array): Float64Array {
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return vector.map((value) => value / norm);
}
