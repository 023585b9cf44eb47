/**
 * npm run generate -- <out.csv> [--users 100000] [--seed 1] [--mean-events 10]
 *   Writes a REES46-format log with planted segments and <out.csv>.labels.csv (user_id,segment).
 * npm run generate -- --drops --out-dir <dir> [--users 3000] [--seed 1] [--mean-events 10]
 *   Writes a sequence of drops with planted drift (lib/tooling/planted-drift.ts: segments persist,
 *   one splits, one emerges, one disappears, users migrate at a known rate): <dir>/drop-<i>.csv,
 *   their .labels.csv and <dir>/planted-drift.json (planned transitions, expected migration rates).
 * npm run generate -- --planted-lift <out.csv> [--users 5000] [--seed 1] [--segments 4] [--noise 0.3] [--signal identity|behavior]
 *   Writes a log whose planted segments differ in what they buy next (lib/tooling/planted-lift.ts)
 *   and <out.csv>.labels.csv; what `npm run bench -- planted-lift` runs on.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { writeSyntheticLog } from '../lib/tooling/synthetic-events';
import { writeSyntheticDrops } from '../lib/tooling/synthetic-drops';
import { writePlantedLiftLog, type PlantedSignal } from '../lib/tooling/planted-lift';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    users: { type: 'string' }, seed: { type: 'string', default: '1' }, 'mean-events': { type: 'string', default: '10' },
    drops: { type: 'boolean', default: false }, 'out-dir': { type: 'string' },
    'planted-lift': { type: 'boolean', default: false }, segments: { type: 'string', default: '4' }, noise: { type: 'string', default: '0.3' },
    signal: { type: 'string', default: 'identity' },
  },
});
if (values['planted-lift']) {
  if (positionals.length !== 1 || !['identity', 'behavior'].includes(values.signal)) {
    console.error('usage: npm run generate -- --planted-lift <out.csv> [--users N] [--seed S] [--segments K] [--noise 0..1] [--signal identity|behavior]');
    process.exit(2);
  }
  const { events, labels } = await writePlantedLiftLog(positionals[0], {
    users: Number(values.users ?? '5000'), seed: Number(values.seed), meanEvents: Number(values['mean-events']),
    segments: Number(values.segments), noise: Number(values.noise), signal: values.signal as PlantedSignal,
  });
  console.log(`wrote ${events} events of ${labels.size} users in ${values.segments} planted segments to ${positionals[0]}`);
} else if (values.drops) {
  if (!values['out-dir'] || positionals.length > 0) {
    console.error('usage: npm run generate -- --drops --out-dir <dir> [--users N per drop] [--seed S] [--mean-events M]');
    process.exit(2);
  }
  const { files, events } = await writeSyntheticDrops(values['out-dir'], {
    usersPerDrop: Number(values.users ?? '3000'), seed: Number(values.seed), meanEvents: Number(values['mean-events']),
  });
  files.forEach((file, i) => console.log(`wrote ${events[i]} events to ${file}`));
} else {
  if (positionals.length !== 1) {
    console.error('usage: npm run generate -- <out.csv> [--users N] [--seed S] [--mean-events M]');
    process.exit(2);
  }
  const { events, labels } = await writeSyntheticLog(positionals[0], {
    users: Number(values.users ?? '100000'), seed: Number(values.seed), meanEvents: Number(values['mean-events']),
  });
  fs.writeFileSync(`${positionals[0]}.labels.csv`, 'user_id,segment\n' + [...labels].map(([user, segment]) => `${user},${segment}`).join('\n') + '\n');
  console.log(`wrote ${events} events of ${labels.size} users to ${positionals[0]}`);
}
