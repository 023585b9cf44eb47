import { isGrpcServiceError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { InvalidArgumentError, type Command } from 'commander';
import { taxonomyFailureIn } from '../../common/errors';
import { connectClient, type ConnectionProfile } from '../../lib/client/connection-profile';

/** The client's exit codes (docs/OPERATIONS.md "Exit codes"), the same for every command. */
export const EXIT = {
  /** The command did what was asked. */
  ok: 0,
  /** It ran, and what it ran failed: the workflow failed, a backfill day failed, verify found steps that do not hold. */
  failed: 1,
  /** The command line is wrong: unknown command or option, missing argument (the message suggests the nearest valid one). */
  usage: 2,
  /** The input or the settings cannot work: a bad --set value, a drop that cannot be read, a missing run directory. */
  badInput: 3,
  /** No Temporal server answered at the profile's address. */
  unreachable: 4,
  /** `run` waited and shards failed: the run is waiting for `retry-failed`. */
  awaitingRetry: 5,
} as const;

/** An error whose exit code the command knows. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/** The kinds of failure that retrying cannot fix and the user fixes in the input or settings. */
const BAD_INPUT_TYPES = new Set(['BadInputError', 'RunConfigError', 'ModelError']);
const GRPC_UNAVAILABLE = 14;

/** The exit code an error that reached the command line stands for. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof Error && BAD_INPUT_TYPES.has(error.name)) return EXIT.badInput;
  if (error instanceof ApplicationFailure && BAD_INPUT_TYPES.has(error.type ?? '')) return EXIT.badInput;
  const failure = taxonomyFailureIn((error as { cause?: unknown })?.cause);
  if (failure && BAD_INPUT_TYPES.has(failure.type ?? '')) return EXIT.badInput;
  for (let current = error; current; current = (current as { cause?: unknown }).cause) {
    if (isGrpcServiceError(current) && current.code === GRPC_UNAVAILABLE) return EXIT.unreachable;
  }
  return EXIT.failed;
}

/** An error's message and every cause's, joined: Temporal wraps the useful part several levels down. */
export function describeError(error: unknown): string {
  let current = error as { message?: string; cause?: unknown } | undefined;
  const messages: string[] = [];
  while (current) {
    if (current.message && !messages.includes(current.message)) messages.push(current.message);
    current = current.cause as typeof current;
  }
  return messages.join(': ');
}

/**
 * Where a command writes. Human lines go to stdout; with --json they are dropped and stdout holds
 * exactly one JSON document (`result`), so `client ... --json | jq` always parses.
 */
export interface Output {
  readonly json: boolean;
  say(line: string): void;
  result(value: unknown): void;
}

export function outputFor(options: { json?: boolean }): Output {
  const json = Boolean(options.json);
  return {
    json,
    say: (line) => {
      if (!json) console.log(line);
    },
    result: (value) => {
      if (json) console.log(JSON.stringify(value));
    },
  };
}

/**
 * Runs one command's body: its return value is the exit code; an error is printed (to stderr, and
 * as {"error", "exitCode"} on stdout with --json) and mapped by exitCodeFor.
 */
export async function runAction(options: { json?: boolean }, body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (error) {
    const exitCode = exitCodeFor(error);
    const message = describeError(error);
    console.error(`error: ${message}`);
    if (options.json) console.log(JSON.stringify({ error: message, exitCode }));
    process.exitCode = exitCode;
  }
}

/** Connects with the profile, runs `body`, closes; a server that does not answer is exit code 4. */
export async function withClient<T>(profile: ConnectionProfile, body: (client: Client) => Promise<T>): Promise<T> {
  let client: Client;
  try {
    client = await connectClient(profile);
  } catch (error) {
    throw new CliError(
      `cannot reach the Temporal server at ${profile.address} (namespace ${profile.namespace}): ${describeError(error)}. ` +
        'Start one (npm start -- --keep-server, or npm run temporal:dev) or point TEMPORAL_ADDRESS / temporal-config/connection.json at yours',
      EXIT.unreachable,
    );
  }
  try {
    return await body(client);
  } finally {
    await client.connection.close();
  }
}

/** `--set key=value`, repeatable: collected as typed, read by the field's type later (options.ts configFrom). */
export function collectSetPair(pair: string, previous: string[] | undefined): string[] {
  if (pair.indexOf('=') < 1) throw new InvalidArgumentError('expected key=value, e.g. --set kMax=12');
  return [...(previous ?? []), pair];
}

/** A positive integer option value (commander argParser). */
export function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError('expected a positive integer');
  return value;
}

/** Adds --json to a command, with the same wording everywhere. */
export function withJsonOption(command: Command): Command {
  return command.option('--json', 'machine-readable output: one JSON object on stdout, nothing else there');
}
