/**
 * Where segment models live under the data directory (docs/DATA-CONTRACTS.md, "Segment models"):
 * one registry file for every pipeline, and one directory per registered model version, which
 * holds copies of everything the model needs (never references into a run directory, which may be
 * deleted). The same file names are used for the model package a run's publish step writes under
 * its output directory, so registering a model is copying one directory. Pure code: workflows import it.
 */

/** `<dataDir>/models`: the registry and every pipeline's model versions. */
export function modelsRoot(dataDir: string): string {
  return join(dataDir.replace(/\/+$/, ''), 'models');
}

export const modelFiles = {
  /** The registry: models per pipeline, the current pointer, the per-drop history. */
  registry: (dataDir: string) => join(modelsRoot(dataDir), 'registry.duckdb'),
  /** `<dataDir>/models/<pipeline>/v0003`: one registered model version. */
  versionDir: (dataDir: string, pipeline: string, version: number) => join(modelsRoot(dataDir), pipeline, `v${String(version).padStart(4, '0')}`),
  /** Where a registration copies a model before it is given its version (renamed inside the registry transaction). */
  stagingDir: (dataDir: string, pipeline: string, dropId: string) => join(modelsRoot(dataDir), pipeline, `.staging-${dropId}`),
  /** Inside a model directory (registered or a run's package): */
  model: (modelDir: string) => join(modelDir, 'model.json'),
  profiles: (modelDir: string) => join(modelDir, 'segment-profiles.json'),
  /** The fitted encoder's files (item2vec, tfidf), under the names the run directory gives them. */
  encoderDir: (modelDir: string) => join(modelDir, 'encoder'),
  /** The model's own users and segments (user_id, segment): what identity matching and drift compare returning users with. */
  labels: (modelDir: string) => join(modelDir, 'labels.arrow'),
  /** Density models: the core points (model space) and their segments. */
  corePoints: (modelDir: string) => join(modelDir, 'core-points.arrow'),
  coreLabels: (modelDir: string) => join(modelDir, 'core-labels.arrow'),
};

function join(...parts: string[]): string {
  return parts.join('/');
}
