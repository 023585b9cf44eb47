import { isPortOpen, startDevServer, type DevServer } from './dev-server';
import type { ConnectionProfile } from './connection-profile';

/**
 * Uses the Temporal server the profile points at if one answers; otherwise, when the profile
 * points at this machine, starts the embedded dev server (state kept in `stateDir`).
 * Returns the server we started, or undefined when we reused one.
 */
export async function ensureLocalServer(profile: ConnectionProfile, stateDir: string, log: (line: string) => void): Promise<DevServer | undefined> {
  const [host, portText] = splitAddress(profile.address);
  if (await isPortOpen(host, Number(portText), 1000)) {
    log(`using the Temporal server at ${profile.address}`);
    return undefined;
  }
  if (!['localhost', '127.0.0.1', '::1'].includes(host)) {
    throw new Error(`no Temporal server answers at ${profile.address}, and it is not local, so none can be started here`);
  }
  log(`no Temporal server at ${profile.address}; starting the embedded dev server (state in ${stateDir})`);
  return startDevServer({ stateDir, port: Number(portText), log });
}

function splitAddress(address: string): [string, string] {
  const colon = address.lastIndexOf(':');
  return colon < 0 ? [address, '7233'] : [address.slice(0, colon), address.slice(colon + 1)];
}
