import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { projectPath } from '../../lib/paths';

/** The lint rule that keeps workflow code deterministic actually fires. */
describe('workflow import rule', () => {
  const eslint = new ESLint({ cwd: projectPath() });
  const lint = async (code: string, file = 'workflows/example.ts') =>
    (await eslint.lintText(code, { filePath: projectPath(file) }))[0].messages.map((message) => message.message);

  it.each([
    "import fs from 'node:fs';",
    "import { readFileSync } from 'fs';",
    "import { DuckDBInstance } from '@duckdb/node-api';",
    "import * as ort from 'onnxruntime-node';",
    "import { cleanRawLogs } from '../activities/clean-logs';",
  ])('rejects %s in workflows/', async (line) => {
    const messages = await lint(`${line}\nexport const x = 1;\n`);
    expect(messages.join('\n')).toMatch(/Workflow/);
  });

  it('allows @temporalio/workflow, common/ and type-only activity imports', async () => {
    const code = "import { sleep } from '@temporalio/workflow';\nimport type { Activities } from '../activities';\nimport { TASK_QUEUES } from '../common/task-queues';\nexport const x: Partial<Activities> = {};\nexport const q = TASK_QUEUES;\nexport const s = sleep;\n";
    expect(await lint(code)).toEqual([]);
  });

  it('holds common/ to the same rule: the workflows bundle it (the run config schema lives there)', async () => {
    const messages = await lint("import fs from 'node:fs';\nexport const x = fs;\n", 'common/config/example.ts');
    expect(messages.join('\n')).toMatch(/Workflow/);
  });

  it('does not restrict activities/', async () => {
    expect(await lint("import fs from 'node:fs';\nexport const x = fs;\n", 'activities/example.ts')).toEqual([]);
  });
});
