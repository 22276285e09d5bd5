import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../config/index.ts";
import { isNflPredError, MS_MINUTE, NflPredError } from "../domain/index.ts";
import { artifactPath } from "../registry/index.ts";
import { resolveTrackingRoot } from "../tracking/index.ts";
import { ArtifactCache } from "./artifacts.ts";
import { loadGamePage } from "./pages/game.ts";
import { loadModelPage } from "./pages/model.ts";
import { loadMonitoringPage } from "./pages/monitoring.ts";
import { loadRegistryPage } from "./pages/registry.ts";
import { loadWeekPage } from "./pages/week.ts";
import { parseGameId, parseRunId, parseSeason, parseSeasonWeek, readQuery } from "./params.ts";
import { ReadOnlyStore } from "./store.ts";

/** The slice of a pino logger the server uses. */
export interface ServerLog {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ServerOptions {
  readonly config: Config;
  /** Address to bind; loopback by default, which also turns on the Host-header check. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly now?: () => number;
  readonly log?: ServerLog;
  /** The front end's folder (default: `web/` of this package). */
  readonly webDir?: string;
  /** How long a request waits for a writer to release the database before answering 503. */
  readonly lockWaitMs?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export const DEFAULT_WEB_DIR = fileURLToPath(new URL("../../web/", import.meta.url));

const PAGES = [/^\/$/, /^\/game\/[A-Za-z0-9_]+$/, /^\/model$/, /^\/monitoring$/, /^\/registry$/];

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

const SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

function statusOf(e: NflPredError): number {
  if (e.code === "USAGE") return 400;
  if (e.code === "NOT_FOUND") return 404;
  if (e.code === "LOCKED") return 503;
  return 500;
}

/**
 * Starts the read-only dashboard: the pages under `web/` and one JSON endpoint per page.
 * @example const s = await startServer({ config, port: 0 }); await fetch(`${s.url}/api/predictions`); await s.close();
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const cfg = opts.config;
  const host = opts.host ?? "127.0.0.1";
  const now = opts.now ?? (() => Date.now());
  const log = opts.log;
  const webDir = opts.webDir ?? DEFAULT_WEB_DIR;
  const store = await ReadOnlyStore.create(cfg.paths.duckdb_path, { lockWaitMs: opts.lockWaitMs ?? 1500 });
  const artifacts = new ArtifactCache();
  // A stored prediction's model and what it was trained on, for the pages' in-sample notices.
  const trainingWindow = (modelId: string) => {
    const read = artifacts.read(artifactPath(cfg.paths.models_dir, modelId));
    return read instanceof Error ? undefined : read.artifact.trainingWindow;
  };
  const trackingRoot = resolveTrackingRoot(cfg.mlflow.tracking_uri, cfg.cwd);
  const staticFiles = new Set(
    existsSync(webDir) ? readdirSync(webDir).filter((f) => extname(f) in TYPES) : [],
  );
  const checkHost = LOOPBACK.has(host);

  const api: Record<
    string,
    { params: readonly string[]; load: (q: Record<string, string>) => Promise<unknown> }
  > = {
    "/api/predictions": {
      params: ["season", "week"],
      load: (q) => {
        const ref = parseSeasonWeek(q, now());
        return store.read((db) =>
          loadWeekPage(db, ref, {
            now: now(),
            dbPath: cfg.paths.duckdb_path,
            postGameDelayMs: cfg.features.visibility.post_game_delay_minutes * MS_MINUTE,
            trainingWindow,
          }),
        );
      },
    },
    "/api/game": {
      params: ["game_id"],
      load: (q) => {
        const gameId = parseGameId(q.game_id);
        return store.read((db) =>
          loadGamePage(db, gameId, {
            now: now(),
            dbPath: cfg.paths.duckdb_path,
            modelsDir: cfg.paths.models_dir,
            defaultFeatureSet: cfg.features.feature_set,
            artifacts,
          }),
        );
      },
    },
    "/api/model": {
      params: ["season", "run_id"],
      load: (q) => {
        const season = q.season === undefined ? undefined : parseSeason(q.season, now());
        const runId = q.run_id === undefined ? undefined : parseRunId(q.run_id);
        return store.read((db) =>
          loadModelPage(
            db,
            { ...(season === undefined ? {} : { season }), ...(runId === undefined ? {} : { runId }) },
            {
              dbPath: cfg.paths.duckdb_path,
              rollingWeeks: cfg.monitoring.retrain_triggers.rolling_weeks,
              now: now(),
              trainingWindow,
            },
          ),
        );
      },
    },
    "/api/monitoring": {
      params: ["season", "week"],
      load: async (q) =>
        loadMonitoringPage(parseSeasonWeek(q, now()), {
          reportsDir: cfg.paths.reports_dir,
          cwd: cfg.cwd,
          psiThreshold: cfg.monitoring.psi_threshold,
          now: now(),
        }),
    },
    "/api/registry": {
      params: [],
      load: async () =>
        loadRegistryPage({ modelsDir: cfg.paths.models_dir, trackingRoot, cwd: cfg.cwd, artifacts }),
    },
  };

  const send = (
    res: ServerResponse,
    status: number,
    type: string,
    body: string | Buffer,
    started: number,
    extra: Record<string, string> = {},
  ) => {
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      "Content-Type": type,
      "Content-Length": String(Buffer.byteLength(body)),
      "Server-Timing": `app;dur=${(performance.now() - started).toFixed(1)}`,
      ...extra,
    });
    res.end(res.req.method === "HEAD" ? undefined : body);
  };
  const sendJson = (res: ServerResponse, status: number, value: unknown, started: number, extra = {}) =>
    send(res, status, "application/json; charset=utf-8", JSON.stringify(value), started, {
      "Cache-Control": "no-store",
      ...extra,
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    if (checkHost) {
      const name = (req.headers.host ?? "").replace(/:\d+$/, "");
      // A page on another site must not read the API through a DNS name rebound to 127.0.0.1.
      if (!LOOPBACK.has(name)) {
        send(res, 403, "text/plain; charset=utf-8", `host '${name}' not allowed\n`, started);
        return;
      }
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      const body = {
        error: { code: "METHOD", message: `${req.method} not allowed: the dashboard is read-only` },
      };
      sendJson(res, 405, body, started, { Allow: "GET, HEAD" });
      return;
    }
    const route = api[path];
    if (route) {
      try {
        const data = await route.load(readQuery(url.searchParams, route.params));
        sendJson(res, 200, data, started);
        log?.debug({ path, ms: Number((performance.now() - started).toFixed(1)) }, "api");
      } catch (e) {
        if (isNflPredError(e)) {
          const status = statusOf(e);
          if (status === 500) log?.error({ path, err: e.message }, "api failed");
          sendJson(
            res,
            status,
            { error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } },
            started,
            status === 503 ? { "Retry-After": "5" } : {},
          );
        } else {
          log?.error({ path, err: (e as Error).stack ?? String(e) }, "unexpected error");
          sendJson(
            res,
            500,
            {
              error: {
                code: "UNEXPECTED",
                message: `unexpected error: ${(e as Error).message ?? String(e)}`,
              },
            },
            started,
          );
        }
      }
      return;
    }
    if (path.startsWith("/api/")) {
      sendJson(
        res,
        404,
        { error: { code: "NOT_FOUND", message: `no endpoint ${path}; try ${Object.keys(api).join(", ")}` } },
        started,
      );
      return;
    }
    const name = path.slice(1);
    if (PAGES.some((re) => re.test(path)) || staticFiles.has(name)) {
      const file = staticFiles.has(name) ? name : "index.html";
      let body: Buffer;
      try {
        body = readFileSync(join(webDir, file));
      } catch {
        send(res, 500, "text/plain; charset=utf-8", `front end missing: ${join(webDir, file)}\n`, started);
        return;
      }
      send(res, 200, TYPES[extname(file)] ?? "application/octet-stream", body, started, {
        "Cache-Control": "no-cache",
      });
      return;
    }
    send(res, 404, "text/plain; charset=utf-8", `not found: ${path}\n`, started);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log?.error({ err: String(e) }, "request failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      void store.close();
      reject(
        e.code === "EADDRINUSE" || e.code === "EACCES" || e.code === "EADDRNOTAVAIL"
          ? new NflPredError("USAGE", `cannot listen on ${host}:${opts.port ?? 8080}: ${e.code}`, {
              flag: e.code === "EADDRNOTAVAIL" ? "--host" : "--port",
              hint:
                e.code === "EADDRINUSE"
                  ? "another process uses that port; pick another with --port"
                  : undefined,
              cause: e,
            })
          : e,
      );
    });
    server.listen(opts.port ?? 8080, host, () => resolve());
  });
  // The first query of each kind compiles code paths in DuckDB and V8; pay that once at start, not on
  // the operator's first page view.
  void Promise.allSettled([api["/api/predictions"]!.load({}), api["/api/model"]!.load({})]);
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.close();
    },
  };
}
