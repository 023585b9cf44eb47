/**
 * npm run make-demo-sample -- [--min-events 3] [--months oct] [--out data/demo/rees46-cosmetics-demo.csv.gz]
 *   Writes the log `npm start` segments: a deterministic slice of the real REES46 cosmetics-shop
 *   logs in ../shared/datasets/rees46-cosmetics-sample (provenance and licence: its SOURCE.md and
 *   data/demo/SOURCE.md). It keeps every event of each user with at least --min-events events in
 *   the chosen months' files, as the original lines byte for byte (header once, then the months in
 *   order, each in file order), gzip-compressed: the same inputs give the same file.
 * Why a slice of active users: a user needs a held-out event plus a sequence to be evaluated, and
 * the evidence that separates candidates grows with the held-out users, while `npm start` has to
 * stay short on a 2-core machine (the transformer embeds every user): October alone (1,240 users)
 * keeps it within 90 s, October + December (2,309) did not (docs/BENCHMARKS.md, "npm start").
 * November's ids were written as floats and lost precision (the datasets' SOURCE.md): leave it out.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { parseArgs } from 'node:util';
import { projectPath } from '../lib/paths';

const { values } = parseArgs({
  options: {
    'min-events': { type: 'string', default: '3' },
    months: { type: 'string', default: 'oct' },
    out: { type: 'string', default: projectPath('data', 'demo', 'rees46-cosmetics-demo.csv.gz') },
    'source-dir': { type: 'string', default: projectPath('..', 'shared', 'datasets', 'rees46-cosmetics-sample') },
  },
});
const minEvents = Number(values['min-events']);
const USER_COLUMN = 8; // ,event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session

let header: string | undefined;
const lines: string[] = [];
for (const month of values.months.split(',')) {
  const [first, ...rows] = fs.readFileSync(path.join(values['source-dir'], `2019-${month}.csv`), 'utf8').trimEnd().split('\n');
  if (header !== undefined && first !== header) throw new Error(`2019-${month}.csv: header differs from the first month's`);
  header = first;
  lines.push(...rows);
}
const eventsPerUser = new Map<string, number>();
for (const line of lines) {
  const user = line.split(',')[USER_COLUMN];
  eventsPerUser.set(user, (eventsPerUser.get(user) ?? 0) + 1);
}
const kept = lines.filter((line) => (eventsPerUser.get(line.split(',')[USER_COLUMN]) ?? 0) >= minEvents);
const users = new Set(kept.map((line) => line.split(',')[USER_COLUMN])).size;
fs.mkdirSync(path.dirname(values.out), { recursive: true });
// gzip without a file name or time stamp in its header, so the file depends on its content only.
fs.writeFileSync(values.out, zlib.gzipSync(`${[header, ...kept].join('\n')}\n`, { level: 9 }));
console.log(`wrote ${kept.length} events of ${users} users (>= ${minEvents} events in ${values.months}) to ${values.out} ` +
  `(${fs.statSync(values.out).size} bytes)`);
