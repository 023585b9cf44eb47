import fs from 'node:fs/promises';
import {
  Field, FixedSizeList, Float32, Table, Utf8, makeData, makeVector, tableFromIPC, tableToIPC, vectorFromArray,
} from 'apache-arrow';
import { writeFileAtomic } from './atomic-write';

/**
 * Embedding files are Arrow IPC with two columns: user_id (Utf8) and embedding
 * (FixedSizeList<Float32>[dimensions]); see docs/DATA-CONTRACTS.md.
 */
export interface EmbeddingBlock {
  userIds: string[];
  /** Row-major, userIds.length x dimensions. */
  vectors: Float32Array;
  dimensions: number;
}

export function embeddingTable(block: EmbeddingBlock): Table {
  const itemType = new Float32();
  const listType = new FixedSizeList(block.dimensions, new Field('item', itemType, false));
  const child = makeData({ type: itemType, length: block.vectors.length, data: block.vectors });
  const embedding = makeVector(makeData({ type: listType, length: block.userIds.length, nullCount: 0, child }));
  const userId = vectorFromArray(block.userIds, new Utf8());
  return new Table({ user_id: userId, embedding });
}

export async function writeEmbeddingFile(file: string, block: EmbeddingBlock): Promise<void> {
  await writeFileAtomic(file, tableToIPC(embeddingTable(block), 'file'));
}

export async function readEmbeddingFile(file: string): Promise<EmbeddingBlock> {
  const table = tableFromIPC(await fs.readFile(file));
  const listType = table.schema.fields.find((field) => field.name === 'embedding')?.type as FixedSizeList | undefined;
  if (!listType) throw new Error(`${file} has no embedding column`);
  const dimensions = listType.listSize;
  const vectors = new Float32Array(table.numRows * dimensions);
  let offset = 0;
  for (const data of table.getChild('embedding')!.data) {
    const values = data.children[0].values as Float32Array;
    const start = data.offset * dimensions;
    vectors.set(values.subarray(start, start + data.length * dimensions), offset);
    offset += data.length * dimensions;
  }
  const userIds = table.getChild('user_id')!.toArray() as string[];
  return { userIds: Array.from(userIds), vectors, dimensions };
}

/** Concatenates blocks in order (shards -> one matrix whose rows follow shard order). */
export function concatBlocks(blocks: EmbeddingBlock[]): EmbeddingBlock {
  if (blocks.length === 0) return { userIds: [], vectors: new Float32Array(0), dimensions: 0 };
  const dimensions = blocks[0].dimensions;
  const vectors = new Float32Array(blocks.reduce((sum, block) => sum + block.vectors.length, 0));
  const userIds: string[] = [];
  let offset = 0;
  for (const block of blocks) {
    if (block.dimensions !== dimensions) throw new Error(`embedding dimensions differ: ${block.dimensions} vs ${dimensions}`);
    vectors.set(block.vectors, offset);
    offset += block.vectors.length;
    for (const id of block.userIds) userIds.push(id);
  }
  return { userIds, vectors, dimensions };
}
