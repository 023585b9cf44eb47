import { msToTs } from '@temporalio/common/lib/time';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { Command } from 'commander';
import type { ConnectionProfile } from '../../lib/client/connection-profile';
import { readDevServerConfig } from '../../lib/client/dev-server';
import { EXIT, outputFor, runAction, withClient, withJsonOption } from './cli';

const GRPC_NOT_FOUND = 5;

export function registerSetupCommand(program: Command, profile: () => ConnectionProfile): void {
  const command = program.command('setup')
    .summary('prepare a self-hosted Temporal cluster')
    .description('Prepare a self-hosted Temporal cluster (the embedded dev server does this itself): registers the profile\'s ' +
      'namespace if it is missing (7-day retention) and the custom search attributes the workflows set.');
  withJsonOption(command)
    .action((options: { json?: boolean }) => runAction(options, () => withClient(profile(), (client) => setupCommand(client, profile(), options))));
}

export async function setupCommand(client: Client, profile: ConnectionProfile, options: { json?: boolean } = {}): Promise<number> {
  const out = outputFor(options);
  const { workflowService, operatorService } = client.connection;
  let namespaceRegistered = false;
  try {
    await workflowService.describeNamespace({ namespace: profile.namespace });
    out.say(`namespace ${profile.namespace} exists`);
  } catch (error) {
    if ((error as { code?: number }).code !== GRPC_NOT_FOUND) throw error;
    await workflowService.registerNamespace({ namespace: profile.namespace, workflowExecutionRetentionPeriod: msToTs('7d') });
    out.say(`namespace ${profile.namespace} registered (7-day retention)`);
    namespaceRegistered = true;
  }
  const wanted = readDevServerConfig().searchAttributes;
  const existing = await operatorService.listSearchAttributes({ namespace: profile.namespace });
  const missing = Object.entries(wanted).filter(([name]) => !(name in (existing.customAttributes ?? {})));
  if (missing.length === 0) {
    out.say(`search attributes present: ${Object.keys(wanted).join(', ')}`);
  } else {
    const types = proto.temporal.api.enums.v1.IndexedValueType;
    await operatorService.addSearchAttributes({
      namespace: profile.namespace,
      searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, types[`INDEXED_VALUE_TYPE_${type.toUpperCase()}` as keyof typeof types]])),
    });
    out.say(`search attributes added: ${missing.map(([name]) => name).join(', ')}`);
  }
  out.result({ namespace: profile.namespace, namespaceRegistered, searchAttributes: Object.keys(wanted), searchAttributesAdded: missing.map(([name]) => name) });
  return EXIT.ok;
}
