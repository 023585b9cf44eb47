import fs from 'node:fs/promises';
import { DataType, Table, Utf8, makeVector, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import { writeFileAtomic } from './atomic-write';

/** Cluster labels as Arrow IPC: user_id (Utf8), segment (Int32; -1 would mean noise). */
export async function writeLabelsFile(file: string, userIds: string[], labels: Int32Array): Promise<void> {
  const table = new Table({ user_id: vectorFromArray(userIds, new Utf8()), segment: makeVector(labels) });
  await writeFileAtomic(file, tableToIPC(table, 'file'));
}

export async function readLabelsFile(file: string): Promise<{ userIds: string[]; labels: Int32Array }> {
  const table = tableFromIPC(await fs.readFile(file));
  const segment = table.getChild('segment');
  const userId = table.getChild('user_id');
  if (!segment || !userId || !(DataType.isInt(segment.type) && segment.type.bitWidth === 32)) throw new Error(`${file} is not a labels file (user_id, segment:int32)`);
  return { userIds: Array.from(userId.toArray() as string[]), labels: Int32Array.from(segment.toArray() as Int32Array) };
}
