/** Task queue names shared by workers, workflows and clients. */
export const TASK_QUEUES = {
  /** SQL, clustering, evaluation, publishing: anything that needs CPU and the run directory. */
  cpu: 'segmentation-cpu',
  /** Sequence encoders; GPU machines serve only this queue. */
  embedding: 'segmentation-embedding',
} as const;

export type TaskQueues = { cpu: string; embedding: string };
