import fs from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { version as vegaVersion } from 'vega';
import { version as vegaLiteVersion } from 'vega-lite';
import { readDevServerConfig } from '../../lib/client/dev-server';
import { projectPath } from '../../lib/paths';
import { runFiles } from '../../common/run-layout';

/** What made the report: the pipeline's version, Node.js, the chart library. */
export async function reportVersions(): Promise<Record<string, string>> {
  const pipeline = JSON.parse(await fs.readFile(projectPath('package.json'), 'utf8')) as { name: string; version: string };
  return { [pipeline.name]: pipeline.version, 'Node.js': process.version, vega: vegaVersion, 'vega-lite': vegaLiteVersion };
}

/** When the run started: preflight stores the config before any step runs. */
export async function runStartedAt(runDir: string): Promise<string | undefined> {
  try {
    return (await fs.stat(runFiles.config(runDir))).mtime.toISOString();
  } catch {
    return undefined;
  }
}

/**
 * The workflow's page in the Web UI of the local dev server (temporal-config/dev-server.json's UI
 * port), for the namespace this activity runs in; undefined outside an activity.
 */
export function temporalUiUrl(workflowId: string): string | undefined {
  let namespace: string | undefined;
  try {
    namespace = Context.current().info.workflowNamespace;
  } catch {
    return undefined;
  }
  if (!namespace) return undefined;
  const { uiPort } = readDevServerConfig();
  return `http://localhost:${uiPort}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
