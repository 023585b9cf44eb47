import { z } from 'zod';
import { integer, numberIn, oneOf, text, timestampOrEmpty } from './field-types';

export const HOLDOUT_MODES = ['none', 'last_n', 'time', 'last_purchase'] as const;
export type HoldoutMode = (typeof HOLDOUT_MODES)[number];

export const ingestSection = z.object({
  mappingFile: text("a file path or ''").default('').describe(
    'A format mapping file (JSON, see docs/DATA-CONTRACTS.md) for logs that are not a known format (CSV/JSONL/Parquet); ' +
      "'' = detect the known formats automatically.",
  ),
  timeWindowStart: timestampOrEmpty().default('').describe(
    "Events before this time are quarantined ('outside_time_window'); '' = no lower bound. ISO date or timestamp (UTC).",
  ),
  timeWindowEnd: timestampOrEmpty().default('').describe("Events at or after this time are quarantined; '' = no upper bound."),
  botMaxEventsPerMinute: integer(0, 1_000_000).default(120).describe(
    "A user with more events than this in any one minute is bot-like ('bot_user'); 0 = off.",
  ),
  botMaxViewsPerSession: integer(0, 1_000_000_000).default(2000).describe('A user with more views than this in one session is bot-like; 0 = off.'),
  sampleUsersFraction: numberIn(0, 1, { min: true }).default(1).describe(
    "Keep this fraction of users (a stable hash of the id decides); the rest are 'sampled_out'.",
  ),
  minEventsPerUser: integer(1, 1_000_000).default(2).describe('Users with fewer cleaned events are counted but not segmented.'),
  maxSequenceLength: integer(1, 100_000).default(50).describe('Only the newest N events of a user go into the sequence.'),
  sessionGapMinutes: integer(1, 100_000).default(30).describe(
    'A new session starts after this many minutes without events (when the log has no session id).',
  ),
  holdoutMode: oneOf(HOLDOUT_MODES).default('last_n').describe(
    "Temporal holdout for downstream evaluation: 'last_n' holds out each user's newest holdoutLastN events, " +
      "'time' the events at or after holdoutCutoff, 'last_purchase' the last purchase and what follows it; 'none' holds out nothing. " +
      'Users left with fewer than minEventsPerUser events keep all their events (and have no holdout).',
  ),
  holdoutLastN: integer(1, 100_000).default(1).describe("holdoutMode 'last_n': how many of each user's newest events are held out."),
  holdoutCutoff: timestampOrEmpty().default('').describe("holdoutMode 'time': events at or after this UTC time are held out."),
}).describe(
  'Reading, cleaning, sampling and the temporal holdout (read by cleanRawLogs; the mapping file also by inspectDrop).',
);

export type IngestConfig = z.output<typeof ingestSection>;
