import fs from 'node:fs/promises';
import path from 'node:path';
import { cacheDir } from '../../paths';
import { sha256 } from './default-model';
import { readModelConfig } from './model-config';

const HUB = process.env.BSEG_HF_ENDPOINT ?? 'https://huggingface.co';

/**
 * For users with internet: downloads a sentence-transformers repository's ONNX export
 * (onnx/model.onnx) and tokenizer files from the Hugging Face hub into the model cache, records
 * each file's sha256 in provenance.json, and returns the directory (usable as transformer.modelDir).
 * Not exercised in CI (no hub access there); the default model comes from a package index instead.
 */
export async function downloadFromHub(repo: string, log: (line: string) => void): Promise<string> {
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new Error(`hub repository must look like owner/name; got ${repo}`);
  const dir = path.join(cacheDir(), 'models', 'hub', repo.replace('/', '__'));
  await fs.mkdir(dir, { recursive: true });
  const files: Array<[remote: string, local: string, required: boolean]> = [
    ['onnx/model.onnx', 'model.onnx', true],
    ['tokenizer.json', 'tokenizer.json', true],
    ['tokenizer_config.json', 'tokenizer_config.json', false],
    ['config.json', 'config.json', true],
    ['sentence_bert_config.json', 'sentence_bert_config.json', false],
  ];
  const provenance: Record<string, string> = {};
  for (const [remote, local, required] of files) {
    const url = `${HUB}/${repo}/resolve/main/${remote}`;
    log(`downloading ${url}`);
    const response = await fetch(url);
    if (!response.ok) {
      if (required) throw new Error(`${url} answered HTTP ${response.status}`);
      continue;
    }
    const data = Buffer.from(await response.arrayBuffer());
    await fs.writeFile(path.join(dir, local), data);
    provenance[local] = sha256(data);
  }
  await fs.writeFile(path.join(dir, 'provenance.json'), `${JSON.stringify({ repo, endpoint: HUB, sha256: provenance }, null, 2)}\n`);
  await readModelConfig(dir); // fails now, with the reason, rather than at the first shard
  return dir;
}
