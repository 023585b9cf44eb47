import { msToTs } from '@temporalio/common/lib/time';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { ConnectionProfile } from '../../lib/client/connection-profile';
import { readDevServerConfig } from '../../lib/client/dev-server';

/**
 * setup: prepares a self-hosted cluster (the embedded dev server does this at start): registers
 * the profile's namespace if missing and the custom search attributes the workflows upsert.
 */
const GRPC_NOT_FOUND = 5;

export async function setupCommand(client: Client, profile: ConnectionProfile): Promise<number> {
  const { workflowService, operatorService } = client.connection;
  try {
    await workflowService.describeNamespace({ namespace: profile.namespace });
    console.log(`namespace ${profile.namespace} exists`);
  } catch (error) {
    if ((error as { code?: number }).code !== GRPC_NOT_FOUND) throw error;
    await workflowService.registerNamespace({ namespace: profile.namespace, workflowExecutionRetentionPeriod: msToTs('7d') });
    console.log(`namespace ${profile.namespace} registered (7-day retention)`);
  }
  const wanted = readDevServerConfig().searchAttributes;
  const existing = await operatorService.listSearchAttributes({ namespace: profile.namespace });
  const missing = Object.entries(wanted).filter(([name]) => !(name in (existing.customAttributes ?? {})));
  if (missing.length === 0) {
    console.log(`search attributes present: ${Object.keys(wanted).join(', ')}`);
    return 0;
  }
  const types = proto.temporal.api.enums.v1.IndexedValueType;
  await operatorService.addSearchAttributes({
    namespace: profile.namespace,
    searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, types[`INDEXED_VALUE_TYPE_${type.toUpperCase()}` as keyof typeof types]])),
  });
  console.log(`search attributes added: ${missing.map(([name]) => name).join(', ')}`);
  return 0;
}
