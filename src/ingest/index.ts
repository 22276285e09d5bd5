export { CONTRACTS, type DatasetContract, TEAM_ALIASES } from "./contracts.ts";
export { type FetchEffects, type FetchOutcome, type FetchPolicy, fetchSource } from "./fetch.ts";
export {
  describeMissingColumns,
  describeMissingFiles,
  describeUnpublished,
  type MissingFile,
} from "./missing.ts";
export {
  type FileResult,
  type IngestEffects,
  type IngestRequest,
  type IngestSummary,
  runIngest,
} from "./pipeline.ts";
export {
  DATASET_SOURCES,
  type FileFormat,
  NFLVERSE_BASE,
  planSourceFiles,
  type SourceFile,
  sourceUrl,
} from "./urls.ts";
