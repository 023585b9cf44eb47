import fs from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { createActivities } from '../../activities';
import { configSection, resolveRunConfig } from '../../common/run-config';
import { runFiles } from '../../common/run-layout';
import { readEmbeddingFile } from '../../lib/runtime/embedding-file';
import { projectPath } from '../../lib/paths';
import { freshDataDir } from '../helpers/pipeline-harness';

describe('a shard resumed over a damaged batch part', () => {
  it('computes that batch again (naming the file) instead of failing on it, and gives the same embeddings', async () => {
    const activities = createActivities();
    const config = resolveRunConfig({ encoders: ['behavior-stats'], shardCount: 1, embedBatchSize: 300 });
    const runDir = freshDataDir('damaged-part');
    const source = projectPath('data', 'sample', 'rees46-2019-oct-sample.csv');
    const inspected = await activities.inspectDrop({ runDir, source, mappingFile: '' });
    await activities.cleanRawLogs({ runDir, files: inspected.files, pinned: inspected.pinned, format: inspected.format, delimiter: inspected.delimiter, config: configSection(config, 'ingest', 'runtime') });
    const { shards } = await activities.shardUsers({ runDir, config: configSection(config, 'runtime') });
    const input = { runDir, shard: shards[0], encoder: 'behavior-stats' as const, config: configSection(config, 'encoders', 'runtime') };
    const first = await activities.embedShard(input);
    const expected = await readEmbeddingFile(first.path);

    // As a crashed attempt leaves it, but with its first part truncated since.
    fs.rmSync(runFiles.stepMarker(runDir, 'embed-behavior-stats-shard-0000'));
    const partsDir = runFiles.embeddingPartsDir(runDir, 'behavior-stats', 0);
    fs.mkdirSync(partsDir, { recursive: true });
    fs.writeFileSync(runFiles.embeddingPartsMeta(partsDir), JSON.stringify({ batchSize: 300 }));
    const damaged = runFiles.embeddingBatchFile(partsDir, 0);
    fs.writeFileSync(damaged, 'ARROW1\0\0');
    fs.writeFileSync(runFiles.embeddingBatchStats(damaged), '{}');

    const warnings = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const again = await activities.embedShard(input);
      expect(again.batchesReused).toBe(0);
      expect(again.batchesComputed).toBe(Math.ceil(shards[0].users / 300));
      expect(warnings.mock.calls.map((call) => String(call[0])).filter((line) => line.includes('damaged checkpoint'))).toEqual([
        expect.stringMatching(new RegExp(`damaged checkpoint ${damaged} \\(.*\\): computing batch 0 again$`)),
      ]);
    } finally {
      warnings.mockRestore();
    }
    expect(await readEmbeddingFile(first.path)).toEqual(expected);
  });
});
