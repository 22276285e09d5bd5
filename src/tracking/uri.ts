import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { NflPredError } from "../domain/index.ts";

/**
 * Turns a tracking URI into the absolute root directory of an MLflow file store.
 * Accepts `file:./mlruns`, `file:mlruns`, `file:/abs`, `file:///abs` and plain paths; relative forms
 * resolve against `cwd`; an empty or missing URI means `./mlruns`.
 * @example resolveTrackingRoot("file:./mlruns", "/srv/nfl") // "/srv/nfl/mlruns"
 */
export function resolveTrackingRoot(trackingUri: string | undefined, cwd: string): string {
  const uri = trackingUri?.trim() ?? "";
  if (uri === "") return resolve(cwd, "mlruns");
  if (/^file:\/\//i.test(uri)) {
    try {
      return resolve(fileURLToPath(uri));
    } catch (cause) {
      throw invalid(uri, "a file URI with a host is not a local path; use file:///absolute/path", cause);
    }
  }
  if (/^file:/i.test(uri)) {
    const path = decodePath(uri, uri.slice("file:".length));
    return isAbsolute(path) ? resolve(path) : resolve(cwd, path);
  }
  // Two letters or more before ":" is a scheme (http, sqlite, databricks); one letter is a drive.
  if (/^[a-z][a-z0-9+.-]+:/i.test(uri)) {
    throw invalid(uri, "only MLflow's file store is written; use file:./mlruns or a directory path");
  }
  return resolve(cwd, uri);
}

function decodePath(uri: string, path: string): string {
  try {
    return decodeURIComponent(path);
  } catch (cause) {
    throw invalid(uri, "the path contains a malformed %-escape", cause);
  }
}

function invalid(uri: string, hint: string, cause?: unknown): NflPredError {
  return new NflPredError("CONFIG", `unsupported tracking URI '${uri}'`, {
    value: uri,
    hint,
    ...(cause === undefined ? {} : { cause }),
  });
}
