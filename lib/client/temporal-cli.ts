import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { cacheDir, projectPath } from '../paths';

/**
 * Finds the `temporal` CLI: $TEMPORAL_CLI, then `temporal` on PATH, then our cache. If none is
 * there, builds it from its Go module into the cache (later tags than v1.5.1 carry a `replace`
 * directive and cannot be go-installed). The binary is ~250 MB and takes minutes to build, so it
 * is cached outside the clone and reused by every later run.
 */
const MODULE = 'github.com/temporalio/cli/cmd/temporal';

export function pinnedCliVersion(): string {
  const config = JSON.parse(fs.readFileSync(projectPath('temporal-config', 'dev-server.json'), 'utf8')) as { cliVersion: string };
  return config.cliVersion;
}

export function cachedCliPath(version = pinnedCliVersion()): string {
  return path.join(cacheDir(), 'temporal-cli', version, 'temporal');
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export function findTemporalCli(): string | undefined {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`TEMPORAL_CLI points to ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  return onPath('temporal') ?? (fs.existsSync(cachedCliPath()) ? cachedCliPath() : undefined);
}

export function provisionTemporalCli(log: (line: string) => void = console.log): string {
  const found = findTemporalCli();
  if (found) return found;
  const version = pinnedCliVersion();
  const target = cachedCliPath(version);
  const go = onPath('go');
  if (!go) {
    throw new Error(
      `no Temporal CLI found (set TEMPORAL_CLI, put 'temporal' on PATH, or install Go so it can be built with ` +
        `'go install ${MODULE}@${version}')`,
    );
  }
  log(`building the Temporal CLI ${version} from its Go module (first run only; takes a few minutes)...`);
  const buildDir = `${path.dirname(target)}.build-${process.pid}`;
  fs.mkdirSync(buildDir, { recursive: true });
  try {
    const result = spawnSync(go, ['install', `${MODULE}@${version}`], {
      env: { ...process.env, GOBIN: buildDir, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status !== 0) throw new Error(`'go install ${MODULE}@${version}' failed with exit code ${result.status}`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.renameSync(path.join(buildDir, 'temporal'), target);
  } finally {
    fs.rmSync(buildDir, { recursive: true, force: true });
  }
  log(`Temporal CLI cached at ${target}: ${execFileSync(target, ['--version']).toString().trim()}`);
  return target;
}
