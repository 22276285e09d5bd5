import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve, sep } from "node:path";

/**
 * A fault injected for one path. `times` (default: every request) limits how many requests see it;
 * later requests get the normal file, so "500 then 200" is `{ kind: "status", status: 500, times: 1 }`.
 */
export type Fault = { readonly times?: number } & (
  | { readonly kind: "redirect"; readonly to: string; readonly status?: 301 | 302 | 307 | 308 }
  | { readonly kind: "status"; readonly status: number; readonly retryAfter?: string }
  /** Declares the whole file's Content-Length, sends `fraction` of it, then drops the connection. */
  | { readonly kind: "truncate"; readonly fraction?: number }
  /** Waits `delayMs` before sending anything. */
  | { readonly kind: "slow"; readonly delayMs: number }
  /** A 200 with an HTML page, as a captive portal or an error page would send. */
  | { readonly kind: "html" }
);

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The status sent, or 0 when the client went away first. */
  readonly status: number;
}

export interface NflverseServer {
  /** Base URL to use as NFLVERSE_MIRROR, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Requests for one path (`/schedules/games.csv`). */
  requestsFor(path: string): RecordedRequest[];
  setFault(path: string, fault: Fault): void;
  /** Serves these bytes at `path` instead of the mirror's file (a corrupted variant, say). */
  setBody(path: string, body: Buffer | string): void;
  /** Removes every fault, body override and recorded request. */
  reset(): void;
}

export const HTML_PAGE =
  "<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head><body><h1>Oops</h1></body></html>\n";

const started = new WeakMap<NflverseServer, Server>();

/**
 * Starts a real HTTP server on 127.0.0.1 (a free port) serving `root` under the release layout
 * `<tag>/<file>.<ext>`, with strong ETags (If-None-Match → 304) and per-path faults.
 * @example const srv = await startNflverseServer(MIRROR_DIR); … await stopNflverseServer(srv);
 */
export async function startNflverseServer(root: string): Promise<NflverseServer> {
  const rootDir = resolve(root);
  const faults = new Map<string, { fault: Fault; used: number }>();
  const bodies = new Map<string, Buffer>();
  const requests: RecordedRequest[] = [];

  async function load(path: string): Promise<Buffer | undefined> {
    const override = bodies.get(path);
    if (override) return override;
    const file = resolve(rootDir, `.${decodeURIComponent(path)}`);
    if (!file.startsWith(rootDir + sep)) return undefined;
    try {
      return await readFile(file);
    } catch {
      return undefined;
    }
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    // Recorded on arrival so a request the client abandons is still seen; status 0 = no response sent.
    const entry = { method: req.method ?? "GET", path, headers: { ...req.headers }, status: 0 };
    requests.push(entry);
    const record = (status: number) => {
      entry.status = status;
    };
    const active = faults.get(path);
    const fault =
      active && (active.fault.times === undefined || active.used < active.fault.times)
        ? active.fault
        : undefined;
    if (active && fault) active.used++;
    void handle(fault).catch((e: unknown) => {
      record(500);
      if (!res.headersSent) res.writeHead(500).end(String(e));
      else res.destroy();
    });

    async function handle(f: Fault | undefined): Promise<void> {
      if (req.method !== "GET" && req.method !== "HEAD") {
        record(405);
        res.writeHead(405).end();
        return;
      }
      if (f?.kind === "redirect") {
        record(f.status ?? 302);
        res.writeHead(f.status ?? 302, { location: f.to }).end();
        return;
      }
      if (f?.kind === "status") {
        record(f.status);
        const headers: Record<string, string> = { "content-type": "text/plain" };
        if (f.retryAfter !== undefined) headers["retry-after"] = f.retryAfter;
        res.writeHead(f.status, headers).end(`status ${f.status}\n`);
        return;
      }
      if (f?.kind === "html") {
        record(200);
        send(res, 200, Buffer.from(HTML_PAGE), "text/html; charset=utf-8");
        return;
      }
      if (f?.kind === "slow") {
        const done = await waitUnlessClosed(f.delayMs, res);
        if (!done) {
          record(0);
          return;
        }
      }
      const body = await load(path);
      if (!body) {
        record(404);
        res.writeHead(404, { "content-type": "text/plain" }).end("Not Found\n");
        return;
      }
      if (f?.kind === "truncate") {
        record(200);
        const cut = Math.floor(body.length * (f.fraction ?? 0.5));
        res.writeHead(200, {
          "content-length": String(body.length),
          "content-type": "application/octet-stream",
        });
        res.write(body.subarray(0, cut), () => res.destroy());
        return;
      }
      const etag = `"${createHash("sha1").update(body).digest("hex").slice(0, 16)}"`;
      if (req.headers["if-none-match"] === etag) {
        record(304);
        res.writeHead(304, { etag }).end();
        return;
      }
      record(200);
      send(
        res,
        200,
        req.method === "HEAD" ? Buffer.alloc(0) : body,
        "application/octet-stream",
        etag,
        body.length,
      );
    }
  });

  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => ok());
  });
  const { port } = server.address() as AddressInfo;
  const api: NflverseServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    requestsFor: (p) => requests.filter((r) => r.path === p),
    setFault: (p, fault) => faults.set(p, { fault, used: 0 }),
    setBody: (p, body) => bodies.set(p, Buffer.isBuffer(body) ? body : Buffer.from(body)),
    reset: () => {
      faults.clear();
      bodies.clear();
      requests.length = 0;
    },
  };
  started.set(api, server);
  return api;
}

/** Stops the server, dropping any connection still open (a slow response the client gave up on). */
export async function stopNflverseServer(srv: NflverseServer): Promise<void> {
  const server = started.get(srv);
  if (!server) return;
  started.delete(srv);
  await new Promise<void>((ok) => {
    server.close(() => ok());
    server.closeAllConnections();
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: Buffer,
  type: string,
  etag?: string,
  length = body.length,
): void {
  const headers: Record<string, string> = { "content-type": type, "content-length": String(length) };
  if (etag) headers.etag = etag;
  res.writeHead(status, headers).end(body);
}

/** Resolves true after `ms`, or false as soon as the client goes away. */
function waitUnlessClosed(ms: number, res: ServerResponse): Promise<boolean> {
  return new Promise((ok) => {
    const timer = setTimeout(() => {
      res.off("close", onClose);
      ok(true);
    }, ms);
    const onClose = () => {
      clearTimeout(timer);
      ok(false);
    };
    res.once("close", onClose);
  });
}
