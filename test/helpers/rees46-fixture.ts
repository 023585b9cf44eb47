import fs from 'node:fs';
import path from 'node:path';

export const REES46_HEADER = ',event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session';

export interface EventRow {
  time: string;
  type: string;
  item: string;
  user: string;
  price?: string;
  session?: string;
}

/** Writes a small REES46-format file (with the unnamed index column) from event rows. */
export function writeRees46(file: string, rows: EventRow[]): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lines = rows.map((row, index) =>
    `${index},${row.time} UTC,${row.type},${row.item},1487580005000000001,,brand,${row.price ?? '1.00'},${row.user},${row.session ?? `s-${row.user}`}`);
  fs.writeFileSync(file, [REES46_HEADER, ...lines].join('\n') + '\n');
  return file;
}

/** `count` events of one user, one per `stepSeconds`, starting at `start`. */
export function userEvents(user: string, count: number, start: string, stepSeconds: number, type = 'view'): EventRow[] {
  const base = Date.parse(`${start}Z`);
  return Array.from({ length: count }, (_, i) => ({
    time: new Date(base + i * stepSeconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ''),
    type,
    item: `item-${i % 7}`,
    user,
  }));
}
