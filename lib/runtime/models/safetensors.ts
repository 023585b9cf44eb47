/** A float32 tensor read from a .safetensors file (row-major). */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

/**
 * Parses the safetensors format: an 8-byte little-endian header length, a JSON header mapping
 * tensor names to dtype/shape/byte offsets, then the raw little-endian data.
 * Only F32 tensors are returned; others (e.g. BERT's int64 position_ids buffer) are skipped, and a
 * graph builder that needs one fails naming it.
 */
export function readSafetensors(buffer: Buffer): Map<string, NamedTensor> {
  const headerLength = Number(buffer.readBigUInt64LE(0));
  const header = JSON.parse(buffer.toString('utf8', 8, 8 + headerLength)) as Record<string, {
    dtype: string; shape: number[]; data_offsets: [number, number];
  }>;
  const base = 8 + headerLength;
  const tensors = new Map<string, NamedTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (entry.dtype !== 'F32') continue;
    const [start, end] = entry.data_offsets;
    // Copy: the slice may not be 4-byte aligned inside the file buffer.
    const data = new Float32Array(buffer.buffer.slice(buffer.byteOffset + base + start, buffer.byteOffset + base + end));
    const expected = entry.shape.reduce((product, size) => product * size, 1);
    if (data.length !== expected) throw new Error(`safetensors: tensor ${name} has ${data.length} values; shape ${entry.shape.join('x')} needs ${expected}`);
    tensors.set(name, { shape: entry.shape, data });
  }
  return tensors;
}
