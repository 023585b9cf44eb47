/**
 * npm run generate -- <out.csv> [--users 100000] [--seed 1] [--mean-events 10]
 * Writes a REES46-format log with planted segments and <out.csv>.labels.csv (user_id,segment).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { writeSyntheticLog } from '../lib/tooling/synthetic-events';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { users: { type: 'string', default: '100000' }, seed: { type: 'string', default: '1' }, 'mean-events': { type: 'string', default: '10' } },
});
if (positionals.length !== 1) {
  console.error('usage: npm run generate -- <out.csv> [--users N] [--seed S] [--mean-events M]');
  process.exit(2);
}
const { events, labels } = await writeSyntheticLog(positionals[0], {
  users: Number(values.users), seed: Number(values.seed), meanEvents: Number(values['mean-events']),
});
fs.writeFileSync(`${positionals[0]}.labels.csv`, 'user_id,segment\n' + [...labels].map(([user, segment]) => `${user},${segment}`).join('\n') + '\n');
console.log(`wrote ${events} events of ${labels.size} users to ${positionals[0]}`);
