// density-clustering ships no types; only what the tests use (it is our small-n reference).
declare module 'density-clustering' {
  export class DBSCAN {
    noise: number[];
    run(dataset: number[][], epsilon: number, minPts: number): number[][];
  }
  const clustering: { DBSCAN: typeof DBSCAN };
  export default clustering;
}
