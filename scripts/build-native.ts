/**
 * npm run build:native: compiles native/ into build/native/bseg-kernels.node (see lib/tooling/native-build.ts).
 *   --optional   warn instead of failing when there is no C compiler (npm start uses this: the
 *                engines then run their slower TypeScript/onnxruntime paths)
 */
import { buildNativeAddon } from '../lib/tooling/native-build';

const optional = process.argv.includes('--optional');
try {
  console.log(buildNativeAddon((line) => console.error(line)));
} catch (error) {
  if (!optional) throw error;
  console.error(`warning: native clustering kernels not built (${(error as Error).message.split('\n')[0]}); clustering uses the slower TypeScript/onnxruntime paths`);
}
