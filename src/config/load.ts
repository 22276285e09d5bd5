import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { NflPredError } from "../domain/index.ts";
import { configSchema, type RawConfig } from "./schema.ts";

/** A validated, frozen configuration whose paths are absolute. */
export type Config = RawConfig & { readonly source: string; readonly cwd: string };

export const DEFAULT_CONFIG_PATH = "configs/default.yaml";
const ENV_PREFIX = "NFL_PRED__";

export interface LoadConfigOptions {
  /** `--config PATH`; when absent `./configs/default.yaml` is used if present, else built-in defaults. */
  readonly path?: string | undefined;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Reads YAML + environment overrides into a validated Config.
 * @example loadConfig({ cwd: process.cwd(), env: process.env })
 */
export function loadConfig(opts: LoadConfigOptions): Config {
  const { raw, source } = readRaw(opts);
  const fromEnv = applyEnvOverrides(raw, opts.env);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw configError(parsed.error, source, fromEnv);
  const cfg = parsed.data;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(opts.cwd, p));
  const paths = Object.fromEntries(
    Object.entries(cfg.paths).map(([k, v]) => [k, abs(v)]),
  ) as RawConfig["paths"];
  return deepFreeze({ ...cfg, paths, source, cwd: opts.cwd });
}

/** The built-in defaults (equal to configs/default.yaml). */
export function defaultRawConfig(): RawConfig {
  return configSchema.parse({});
}

function readRaw(opts: LoadConfigOptions): { raw: Record<string, unknown>; source: string } {
  const explicit = opts.path !== undefined;
  const path = resolve(opts.cwd, opts.path ?? DEFAULT_CONFIG_PATH);
  if (!existsSync(path)) {
    if (explicit)
      throw new NflPredError("CONFIG", `config file not found: ${path}`, { file: path, flag: "--config" });
    return { raw: {}, source: "built-in defaults" };
  }
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new NflPredError("CONFIG", `${path}: not valid YAML: ${(cause as Error).message}`, {
      file: path,
      cause,
    });
  }
  if (doc === null || doc === undefined) return { raw: {}, source: path };
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new NflPredError("CONFIG", `${path}: expected a mapping at the top level`, { file: path });
  }
  return { raw: doc as Record<string, unknown>, source: path };
}

/** Applies the overrides; returns which variable set each dotted key, so an error can name it. */
function applyEnvOverrides(raw: Record<string, unknown>, env: LoadConfigOptions["env"]): Map<string, string> {
  const setBy = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const keys = name.slice(ENV_PREFIX.length).toLowerCase().split("__");
    if (keys.some((k) => k === "")) {
      throw new NflPredError("CONFIG", `environment variable ${name}: empty key segment`, { value: name });
    }
    let node = raw;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      if (next === undefined || next === null) node[key] = {};
      else if (typeof next !== "object" || Array.isArray(next)) {
        throw new NflPredError("CONFIG", `environment variable ${name}: '${key}' is not a section`, {
          value: name,
        });
      }
      node = node[key] as Record<string, unknown>;
    }
    node[keys.at(-1)!] = parseYaml(value) as unknown;
    // The name only: a value could hold a credential (a tracking URI with a password).
    setBy.set(keys.join("."), name);
  }
  return setBy;
}

function configError(error: z.ZodError, source: string, setBy: ReadonlyMap<string, string>): NflPredError {
  // A key set by an environment variable is blamed on it, not on the file or the defaults.
  const blame = (key: string) => {
    const by = setBy.get(key);
    return by ? ` (set by ${by})` : "";
  };
  const lines = error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
      return `unknown key ${keys.map((k) => `${k}${blame(k)}`).join(", ")}`;
    }
    return `${path || "(root)"}: ${issue.message}${blame(path)}`;
  });
  const where = setBy.size > 0 ? `${source} with NFL_PRED__ overrides` : source;
  return new NflPredError("CONFIG", `invalid configuration (${where}):\n  ${lines.join("\n  ")}`, {
    file: source,
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
