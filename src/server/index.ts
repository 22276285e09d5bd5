export {
  DEFAULT_WEB_DIR,
  type RunningServer,
  type ServerLog,
  type ServerOptions,
  startServer,
} from "./http.ts";
export type { GamePage } from "./pages/game.ts";
export type { ModelPage } from "./pages/model.ts";
export type { MonitoringPage } from "./pages/monitoring.ts";
export type { RegistryPage } from "./pages/registry.ts";
export type { WeekPage } from "./pages/week.ts";
