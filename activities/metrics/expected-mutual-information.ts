import type { ContingencyTable } from './contingency';
import { logFactorials } from './log-gamma';

/**
 * Expected mutual information of two labelings with the table's class and cluster sizes, when points
 * are assigned at random (hypergeometric model, Vinh, Epps & Bailey 2010): the chance baseline that
 * the adjusted mutual information subtracts.
 *
 * Follows scikit-learn's `expected_mutual_information` term for term and in the same summation
 * order, so the two agree to rounding. Time is O(sum over class-cluster pairs of min(class size,
 * cluster size)): about classes x n for balanced clusters, but classes x clusters at least, so two
 * labelings with ~n clusters each are quadratic (as in scikit-learn). Memory is O(n) for a table of
 * log-factorials.
 */
export function expectedMutualInformation(table: ContingencyTable): number {
  const { rowSums: a, columnSums: b, n } = table;
  // A labeling with one cluster carries no information, so neither does chance agreement with it.
  if (a.length <= 1 || b.length <= 1) return 0;
  const logFactorial = logFactorials(n);
  const logN = Math.log(n);
  let largest = 0;
  for (const size of a) largest = Math.max(largest, size);
  for (const size of b) largest = Math.max(largest, size);
  // Indexed by the cell count nij: nij / n, log(n * nij) and log(nij!) + log(n!).
  const share = new Float64Array(largest + 1);
  const logNTimesNij = new Float64Array(largest + 1);
  const logNijAndNFactorials = new Float64Array(largest + 1);
  for (let nij = 1; nij <= largest; nij++) {
    share[nij] = nij / n;
    logNTimesNij[nij] = logN + Math.log(nij);
    logNijAndNFactorials[nij] = logFactorial[nij] + logFactorial[n];
  }
  let emi = 0;
  for (let i = 0; i < a.length; i++) {
    const ai = a[i];
    const logA = Math.log(ai);
    for (let j = 0; j < b.length; j++) {
      const bj = b[j];
      const logB = Math.log(bj);
      // Numerator of the hypergeometric probability: a! b! (n - a)! (n - b)!.
      const numerator = logFactorial[ai] + logFactorial[bj] + logFactorial[n - ai] + logFactorial[n - bj];
      const end = Math.min(ai, bj);
      for (let nij = Math.max(1, ai - n + bj); nij <= end; nij++) {
        const logRatio = logNTimesNij[nij] - logA - logB;
        const logProbability = numerator - logNijAndNFactorials[nij] - logFactorial[ai - nij]
          - logFactorial[bj - nij] - logFactorial[n - ai - bj + nij];
        emi += share[nij] * logRatio * Math.exp(logProbability);
      }
    }
  }
  return emi;
}
