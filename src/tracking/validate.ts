import { NflPredError } from "../domain/index.ts";

/** MLflow's limits (mlflow/utils/validation.py); longer values are rejected by its REST API too. */
export const MAX_KEY_LENGTH = 250;
export const MAX_PARAM_VALUE_LENGTH = 6000;
export const MAX_TAG_VALUE_LENGTH = 8000;

const VALID_KEY = /^[\p{L}\p{N}_/.\- ]*$/u;
const RUN_ID = /^[0-9a-f]{32}$/;
const EXPERIMENT_ID = /^[0-9]+$/;

export type KeyKind = "param" | "metric" | "tag";

/**
 * Checks a param/metric/tag key the way MLflow does: alphanumerics, `_ - . space /`, and (because keys
 * become file paths) no empty, `.` or `..` segment and no leading or trailing slash.
 */
export function validateKey(kind: KeyKind, key: string): void {
  const bad = (why: string) =>
    new NflPredError("USAGE", `invalid ${kind} name '${key}': ${why}`, {
      value: key,
      hint: "names may contain letters, digits, _ - . space and /, and must not resolve to another path",
    });
  if (key.length === 0) throw bad("empty");
  if (key.length > MAX_KEY_LENGTH) throw bad(`longer than ${MAX_KEY_LENGTH} characters`);
  if (!VALID_KEY.test(key)) throw bad("unsupported character");
  if (key.split("/").some((seg) => seg === "" || seg === "." || seg === "..")) {
    throw bad("would be treated as a different file path");
  }
}

export function validateValue(kind: "param" | "tag", key: string, value: string): void {
  const max = kind === "param" ? MAX_PARAM_VALUE_LENGTH : MAX_TAG_VALUE_LENGTH;
  if (value.length > max) {
    throw new NflPredError("USAGE", `${kind} '${key}' is ${value.length} characters; MLflow allows ${max}`, {
      value: key,
    });
  }
  if (looksSecret(value)) {
    throw new NflPredError("USAGE", `refusing to record ${kind} '${key}': its value looks like a secret`, {
      value: key,
      hint: "pass the value through redact() first; webhook URLs and tokens must not land in mlruns/",
    });
  }
}

export function validateRunId(runId: string): void {
  if (!RUN_ID.test(runId)) {
    throw new NflPredError("USAGE", `invalid run id '${runId}': expected 32 lowercase hex characters`, {
      value: runId,
    });
  }
}

export function validateExperimentId(experimentId: string): void {
  if (!EXPERIMENT_ID.test(experimentId)) {
    throw new NflPredError("USAGE", `invalid experiment id '${experimentId}': expected digits`, {
      value: experimentId,
    });
  }
}

const REDACTED = "/[REDACTED]";
const URL_PATTERN = /\bhttps?:\/\/[^\s'"<>]+/gi;
const SECRET_URL = [
  /^https?:\/\/hooks\.slack\.com\//i,
  /^https?:\/\/([\w-]+\.)*discord(app)?\.com\/api\/webhooks\//i,
  /^https?:\/\/[^/]*webhook/i,
  /^https?:\/\/[^/]*\/[^?#]*webhook/i,
  /^https?:\/\/[^/@\s]+:[^/@\s]+@/i,
  /[?&](token|key|secret|sig|signature|password|api[_-]?key|access_token|routing_key)=/i,
];

/** True when `value` holds a URL that carries a credential: a webhook, user:password@, or a token query. */
export function looksSecret(value: string): boolean {
  return (value.match(URL_PATTERN) ?? []).some(isSecretUrl);
}

/**
 * Replaces every credential-bearing URL in `value` by its origin plus `/[REDACTED]`, so config echoed into
 * a run still shows which service was used.
 * @example redact("alert via https://hooks.slack.com/services/T0/B0/xyz") // "alert via https://hooks.slack.com/[REDACTED]"
 */
export function redact(value: string): string {
  return value.replace(URL_PATTERN, (url) => (isSecretUrl(url) ? `${originOf(url)}${REDACTED}` : url));
}

function isSecretUrl(url: string): boolean {
  return !url.endsWith(REDACTED) && SECRET_URL.some((re) => re.test(url));
}

function originOf(url: string): string {
  const m = /^(https?:\/\/)(?:[^/@\s]*@)?([^/?#\s]+)/i.exec(url);
  return m ? `${m[1]}${m[2]}` : "[REDACTED]";
}
