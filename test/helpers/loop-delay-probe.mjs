// Preloaded into worker processes by tests (NODE_OPTIONS=--import <this file>): reports each stall
// of the process's event loop. A stalled loop delays everything the process does on it: workflow
// activations and queries, and the one-second liveness heartbeats of its activities.
// Plain JavaScript: NODE_OPTIONS imports load before the tsx loader.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const REPORT_ABOVE_MS = 100;
const roleAt = process.argv.indexOf('--role');
const role = roleAt > 0 ? process.argv[roleAt + 1] : 'all';
const delays = monitorEventLoopDelay({ resolution: 10 });
delays.enable();
setInterval(() => {
  const maxMs = Math.round(delays.max / 1e6);
  if (maxMs > REPORT_ABOVE_MS) process.stderr.write(`[loop-delay] role=${role} pid=${process.pid} max_ms=${maxMs} at=${new Date().toISOString()}\n`);
  delays.reset();
}, 1000).unref();
