import fs from 'node:fs';
import { workflowIdForDrop } from '../../common/ids';
import { dropRefFor } from '../../lib/runtime/drop-id';

/** A run may be named by its workflow id, its drop id, or the drop's path. */
export function workflowIdForRun(run: string): string {
  if (run.startsWith('segment-')) return run;
  if (fs.existsSync(run)) return workflowIdForDrop(dropRefFor(run).dropId);
  return workflowIdForDrop(run);
}
