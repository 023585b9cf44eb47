/**
 * npm run temporal:dev: the embedded Temporal dev server in the foreground (Ctrl-C stops it),
 * with SQLite state under <data-dir>/temporal so workflows survive restarts; Web UI on :8233.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDevServer } from '../lib/client/dev-server';
import { defaultDataDir } from '../lib/paths';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string', default: defaultDataDir() } } });
const server = await startDevServer({ stateDir: path.join(path.resolve(values['data-dir']!), 'temporal'), log: console.log });
console.log(`Temporal dev server on ${server.address}; Web UI ${server.uiUrl}; Ctrl-C to stop`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.stop().then(() => process.exit(0)));
}
