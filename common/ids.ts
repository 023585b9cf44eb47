/** Workflow ids derived from the drop, so a re-trigger lands on the same execution. */
export function workflowIdForDrop(dropId: string): string {
  return `segment-${dropId}`;
}

export function backfillWorkflowId(root: string, from: string, to: string): string {
  return `backfill-${from}-${to}-${root.replace(/[^A-Za-z0-9]+/g, '-').slice(-40)}`;
}

/** A sweep candidate's directory name under clusters/ (and its step names): file-safe, unique per candidate. */
export function candidateKey(candidate: { encoder: string; algorithm: string; params: string }): string {
  return `${candidate.encoder}--${candidate.algorithm}-${candidate.params.replace(/[^A-Za-z0-9.]+/g, '')}`;
}

/** Whether two references name the same sweep candidate (encoder, algorithm and parameters). */
export function sameCandidate(a: { encoder: string; algorithm: string; params: string }, b: { encoder: string; algorithm: string; params: string }): boolean {
  return a.encoder === b.encoder && a.algorithm === b.algorithm && a.params === b.params;
}
