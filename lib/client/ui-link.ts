import { readDevServerConfig } from './dev-server';
import type { ConnectionProfile } from './connection-profile';

/**
 * Link to a workflow in the Temporal Web UI. Local servers: the dev server's UI port; otherwise
 * $TEMPORAL_UI_URL (e.g. https://cloud.temporal.io) when set.
 */
export function workflowUiLink(profile: ConnectionProfile, workflowId: string): string {
  const base = process.env.TEMPORAL_UI_URL ?? `http://localhost:${readDevServerConfig().uiPort}`;
  return `${base.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(profile.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
