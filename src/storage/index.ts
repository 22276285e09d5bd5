export {
  type AppendType,
  Database,
  lockError,
  type OpenOptions,
  openDatabase,
  type Row,
  type SqlParam,
} from "./db.ts";
export { type FeatureRecord, type WriteMode, writeFeatureRows } from "./features.ts";
export { applyMigrations, SCHEMA_VERSION } from "./migrations.ts";
export {
  type AlertSentRecord,
  type FeatureValues,
  isAlertSent,
  loadScoredPredictions,
  loadT60FeatureValues,
  type ReportRecord,
  recordAlertSent,
  type ScoredPrediction,
  writeReportRows,
} from "./monitoring.ts";
export { type AuditRecord, type PredictionRecord, writeAudit, writePredictions } from "./predictions.ts";
export {
  type ColumnDef,
  type ColumnType,
  DATASET_NAMES,
  type DatasetName,
  DERIVED_COLUMNS,
  SOURCE_COLUMNS,
  tableColumns,
} from "./schema.ts";
