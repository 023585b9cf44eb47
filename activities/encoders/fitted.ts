import path from 'node:path';
import type { EncoderName } from '../../common/run-config';

/** Where an encoder's per-run model lives: <runDir>/encoders/<encoder>/. */
export function fittedModelDir(runDir: string, encoder: EncoderName): string {
  return path.join(runDir, 'encoders', encoder);
}

export function item2vecVectorsPath(runDir: string): string {
  return path.join(fittedModelDir(runDir, 'item2vec'), 'item-vectors.arrow');
}

export function tfidfModelPaths(runDir: string) {
  const dir = fittedModelDir(runDir, 'tfidf');
  return { vectorizerPath: path.join(dir, 'vectorizer.json'), componentsPath: path.join(dir, 'svd-components.arrow') };
}
