import fs from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { projectPath } from '../paths';

/**
 * The one connection profile shared by client, workers and tests, so the same code runs against
 * the embedded dev server, a self-hosted cluster or Temporal Cloud (TLS and/or API key).
 */
export interface ConnectionProfile {
  address: string;
  namespace: string;
  tls?: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string };
  apiKey?: string;
}

interface ProfileFile {
  address: string;
  namespace: string;
  tls: ConnectionProfile['tls'] | null;
  apiKeyEnv?: string;
}

export function loadConnectionProfile(env: NodeJS.ProcessEnv = process.env): ConnectionProfile {
  const file = env.TEMPORAL_PROFILE ?? projectPath('temporal-config', 'connection.json');
  let parsed: ProfileFile;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as ProfileFile;
  } catch (error) {
    throw new Error(`cannot read Temporal connection profile ${file}: ${(error as Error).message}`);
  }
  const tlsFromEnv = env.TEMPORAL_TLS_CERT || env.TEMPORAL_TLS_CA || env.TEMPORAL_TLS_SERVER_NAME;
  const tls = tlsFromEnv
    ? { certPath: env.TEMPORAL_TLS_CERT, keyPath: env.TEMPORAL_TLS_KEY, caPath: env.TEMPORAL_TLS_CA, serverName: env.TEMPORAL_TLS_SERVER_NAME }
    : parsed.tls ?? undefined;
  const apiKey = env[parsed.apiKeyEnv ?? 'TEMPORAL_API_KEY'] || undefined;
  return {
    address: env.TEMPORAL_ADDRESS ?? parsed.address,
    namespace: env.TEMPORAL_NAMESPACE ?? parsed.namespace,
    tls,
    apiKey,
  };
}

function tlsOptions(profile: ConnectionProfile): ConnectionOptions['tls'] {
  if (!profile.tls) return profile.apiKey ? true : undefined;
  const { certPath, keyPath, caPath, serverName } = profile.tls;
  return {
    serverNameOverride: serverName,
    serverRootCACertificate: caPath ? fs.readFileSync(caPath) : undefined,
    clientCertPair: certPath && keyPath ? { crt: fs.readFileSync(certPath), key: fs.readFileSync(keyPath) } : undefined,
  };
}

export async function connectClient(profile = loadConnectionProfile()): Promise<Client> {
  const connection = await Connection.connect({
    address: profile.address,
    tls: tlsOptions(profile),
    apiKey: profile.apiKey,
    connectTimeout: '10s',
  });
  return new Client({ connection, namespace: profile.namespace });
}

export async function connectWorker(profile = loadConnectionProfile()): Promise<NativeConnection> {
  const options: NativeConnectionOptions = {
    address: profile.address,
    tls: tlsOptions(profile) as NativeConnectionOptions['tls'],
    apiKey: profile.apiKey,
  };
  return NativeConnection.connect(options);
}
