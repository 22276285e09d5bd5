export {
  type Config,
  DEFAULT_CONFIG_PATH,
  defaultRawConfig,
  type LoadConfigOptions,
  loadConfig,
} from "./load.ts";
export type { RawConfig } from "./schema.ts";
