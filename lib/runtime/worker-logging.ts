import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

/** Worker SDK logs at $BSEG_LOG_LEVEL (default WARN): state changes at INFO drown the pipeline's own output. */
export function installWorkerLogging(defaultLevel: LogLevel = 'WARN'): void {
  const level = (process.env.BSEG_LOG_LEVEL ?? defaultLevel) as LogLevel;
  Runtime.install({ logger: new DefaultLogger(level) });
}
