import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CleaningAccounting } from '../../common/contracts';
import { resolveRunConfig, type RunConfig } from '../../common/run-config';
import { cleanInto } from '../clean-logs';
import { inspectDrop } from '../inspect-drop';

/**
 * Ingestion and cleaning only, in a throwaway directory, without Temporal: the dry run behind
 * `client validate`. Returns the format found and the row accounting.
 */
export async function validateDrop(source: string, overrides: Partial<RunConfig> = {}): Promise<{ format: string; files: string[]; accounting: CleaningAccounting }> {
  const config = resolveRunConfig(overrides);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bseg-validate-'));
  try {
    const inspected = await inspectDrop({ runDir: scratch, source: path.resolve(source), mappingFile: config.mappingFile });
    const accounting = await cleanInto(path.join(scratch, 'validate.duckdb'), {
      runDir: scratch, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config,
    });
    return { format: inspected.format, files: inspected.files, accounting };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
