import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { provisionTemporalCli } from './temporal-cli';
import { projectPath } from '../paths';

/**
 * Starts the real Temporal dev server (`temporal server start-dev`) with SQLite persistence,
 * namespaces, search attributes and dynamic config from temporal-config/dev-server.json.
 */
interface DevServerConfig {
  port: number;
  uiPort: number;
  ip: string;
  namespaces: string[];
  searchAttributes: Record<string, string>;
  dynamicConfig: Record<string, unknown>;
}

export interface DevServerOptions {
  /** SQLite state lives in `<stateDir>/temporal.sqlite`, so workflows survive a restart. */
  stateDir: string;
  /** gRPC port; 'auto' picks a free one (and another one if the server fails to start on it). */
  port?: number | 'auto';
  uiPort?: number;
  /** No Web UI (tests). */
  headless?: boolean;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function readDevServerConfig(): DevServerConfig {
  return JSON.parse(fs.readFileSync(projectPath('temporal-config', 'dev-server.json'), 'utf8')) as DevServerConfig;
}

export async function isPortOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function devServerArgs(config: DevServerConfig, options: Required<Pick<DevServerOptions, 'stateDir'>> & { port: number; uiPort: number; headless: boolean }): string[] {
  const args = [
    'server', 'start-dev',
    '--db-filename', path.join(options.stateDir, 'temporal.sqlite'),
    '--ip', config.ip,
    '--port', String(options.port),
    '--log-level', 'warn',
  ];
  args.push(...(options.headless ? ['--headless'] : ['--ui-port', String(options.uiPort)]));
  for (const namespace of config.namespaces) args.push('--namespace', namespace);
  for (const [name, type] of Object.entries(config.searchAttributes)) args.push('--search-attribute', `${name}=${type}`);
  for (const [key, value] of Object.entries(config.dynamicConfig)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  return args;
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  if (options.port !== 'auto') return startDevServerOnPort(options, options.port ?? readDevServerConfig().port);
  // Another process can take the free port between our check and the server's bind: try again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServerOnPort(options, await freePort());
    } catch (error) {
      if (attempt >= 3) throw error;
      options.log?.(`dev server failed to start (${(error as Error).message}); retrying on another port`);
    }
  }
}

async function startDevServerOnPort(options: DevServerOptions, port: number): Promise<DevServer> {
  const log = options.log ?? (() => undefined);
  const config = readDevServerConfig();
  const cli = provisionTemporalCli(log);
  const uiPort = options.uiPort ?? config.uiPort;
  const headless = options.headless ?? false;
  fs.mkdirSync(options.stateDir, { recursive: true });
  const logFile = fs.openSync(path.join(options.stateDir, 'temporal-server.log'), 'a');
  const child = spawn(cli, devServerArgs(config, { stateDir: options.stateDir, port, uiPort, headless }), {
    stdio: ['ignore', logFile, logFile],
  });
  fs.closeSync(logFile);
  let exitCode: number | null = null;
  child.once('exit', (code) => {
    exitCode = code ?? -1;
  });
  const deadline = Date.now() + 60_000;
  while (!(await isPortOpen(config.ip, port))) {
    if (exitCode !== null) {
      const logPath = path.join(options.stateDir, 'temporal-server.log');
      const tail = fs.readFileSync(logPath, 'utf8').trim().split('\n').slice(-5).join('\n');
      throw new Error(`temporal dev server exited with code ${exitCode}; last lines of ${logPath}:\n${tail}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`temporal dev server did not open ${config.ip}:${port} within 60 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await waitForNamespaces(`${config.ip}:${port}`, config.namespaces, deadline);
  const stop = async () => {
    if (exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    address: `${config.ip}:${port}`,
    uiUrl: headless ? undefined : `http://localhost:${uiPort}`,
    process: child,
    stop,
  };
}

/** The port opens before the namespaces are registered; wait until each one answers. */
async function waitForNamespaces(address: string, namespaces: string[], deadline: number): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    for (const namespace of namespaces) {
      for (;;) {
        try {
          await connection.workflowService.describeNamespace({ namespace });
          break;
        } catch (error) {
          if (Date.now() > deadline) throw new Error(`namespace ${namespace} not ready on ${address}: ${(error as Error).message}`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    }
  } finally {
    await connection.close();
  }
}
