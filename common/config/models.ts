import { z } from 'zod';
import { integer, matching, numberIn, oneOf } from './field-types';

/** How a drop is segmented (docs/ARCHITECTURE.md, "Segment models"). */
export const SEGMENTATION_MODES = ['auto', 'refit', 'assign'] as const;
export type SegmentationMode = (typeof SEGMENTATION_MODES)[number];

export const modelsSection = z.object({
  pipelineName: matching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a name of letters, digits, . _ - (at most 64, starting with a letter or digit)')
    .default('default')
    .describe('The pipeline a drop belongs to: its segment models, their "current" pointer and its drop history are kept under this name in the model registry.'),
  mode: oneOf(SEGMENTATION_MODES).default('auto').describe(
    "'refit': sweep, choose and publish a new segment model; 'assign': score the drop into the pipeline's current model " +
      "(no sweep; fails without one); 'auto': assign when the pipeline has a current model, refit when it has none, " +
      'when `refitEveryDrops` is reached or when the assigned drop drifts past `refitDriftThreshold` or `refitShareShiftThreshold`. Every decision is recorded with its reason in the registry.',
  ),
  refitEveryDrops: integer(0, 100_000).default(0).describe(
    "'auto': refit when this many drops in a row (the refit included) have used the current model, e.g. 7 = one refit " +
      'then six assigned drops; 0 = never for this reason.',
  ),
  refitDriftThreshold: numberIn(0, 1).default(0.75).describe(
    "'auto': a drop assigned into the current model whose driftScore against it (docs/DRIFT.md: the larger of the share of " +
      'returning users whose segment changed and the total variation of segment shares) reaches this is refitted instead; ' +
      '0 = never for this reason. Returning users change segment for noise alone (0.56-0.62 on the planted drops, whether or ' +
      'not their segments change: docs/DRIFT.md "Policy"), so the default only catches a wholesale reshuffle.',
  ),
  refitShareShiftThreshold: numberIn(0, 1).default(0.1).describe(
    "'auto': a drop assigned into the current model whose segment shares moved this far from the model's (total variation " +
      'distance, noise included) is refitted instead; 0 = never for this reason. 0.1 lies between the 0.03 of planted drops whose ' +
      'segments persist and the 0.14-0.18 of drops where a segment splits, emerges and another disappears (docs/DRIFT.md "Policy").',
  ),
}).describe(
  'Segment models across drops: which pipeline a drop belongs to and whether it is refitted or assigned into the current model (read by the workflow and the registry activities).',
);

export type ModelsConfig = z.output<typeof modelsSection>;
