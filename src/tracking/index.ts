export {
  createTrackingStore,
  type LifecycleStage,
  type ParamValue,
  type RunHandle,
  type RunInfo,
  type RunStatus,
  type RunView,
  type TrackingStore,
  type TrackingStoreOptions,
} from "./store.ts";
export { resolveTrackingRoot } from "./uri.ts";
export { looksSecret, redact } from "./validate.ts";
