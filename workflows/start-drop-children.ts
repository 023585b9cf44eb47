import {
  ParentClosePolicy, WorkflowIdReusePolicy, startChild, type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { DropRef, SegmentDataDropInput } from '../common/contracts';
import { workflowIdForDrop } from '../common/ids';
import { segmentDataDrop } from './segment-data-drop';

/**
 * Starts segmentDataDrop for a drop under its derived workflow id. A drop that already ran
 * successfully, or is running now, is not started again (ALLOW_DUPLICATE_FAILED_ONLY lets a failed
 * drop be retried). Returns undefined when the drop was already started.
 */
export async function startDropPipeline(
  drop: DropRef,
  base: Omit<SegmentDataDropInput, 'drop'>,
  parentClosePolicy: ParentClosePolicy,
): Promise<ChildWorkflowHandle<typeof segmentDataDrop> | undefined> {
  try {
    return await startChild(segmentDataDrop, {
      workflowId: workflowIdForDrop(drop.dropId),
      args: [{ ...base, drop }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      parentClosePolicy,
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return undefined;
    throw error;
  }
}
