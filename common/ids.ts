/** Workflow ids derived from the drop, so a re-trigger lands on the same execution. */
export function workflowIdForDrop(dropId: string): string {
  return `segment-${dropId}`;
}

export function backfillWorkflowId(root: string, from: string, to: string): string {
  return `backfill-${from}-${to}-${root.replace(/[^A-Za-z0-9]+/g, '-').slice(-40)}`;
}
