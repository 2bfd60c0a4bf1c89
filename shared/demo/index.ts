/** Demo data: a deterministic, realistic county (or multi-county city) dataset in format v1. */
export { appliesToKind, DEMO_INDICATORS, type DemoIndicator, dueInMonth } from './catalogue.js';
export {
  DATASET_FILE_NAMES,
  type DatasetFileName,
  type DatasetFiles,
  DEMO_DEFAULTS,
  type DemoOptions,
  generateCounty,
  writeDataset,
} from './generate.js';
export { Rng, streamSeed } from './prng.js';
