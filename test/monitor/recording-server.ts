import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly contentType: string | undefined;
  readonly body: string;
}

export type Reply = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Answers with a status, a body and headers. */
export const reply =
  (code: number, body = "", headers: Record<string, string> = {}): Reply =>
  (_, res) => {
    res.writeHead(code, headers).end(body);
  };

/** Answers 200 only after `ms` (a client with a shorter timeout gives up first). */
export const slowReply =
  (ms: number): Reply =>
  async (_, res) => {
    await sleep(ms);
    if (!res.destroyed) res.writeHead(200).end("late");
  };

/**
 * A real HTTP server on 127.0.0.1 that records every request and answers each with the next scripted
 * reply, or with `fallback` (200 "ok" unless set) when the script is used up.
 */
export class RecordingServer {
  readonly requests: RecordedRequest[] = [];
  base = "";
  fallback: Reply = reply(200, "ok");
  private script: Reply[] = [];
  private readonly server: Server;
  private readonly open = new Set<ServerResponse>();

  constructor() {
    this.server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (d: string) => {
        body += d;
      });
      req.on("end", () => {
        this.requests.push({
          method: req.method ?? "",
          url: req.url ?? "",
          contentType: req.headers["content-type"],
          body,
        });
        this.open.add(res);
        res.on("close", () => this.open.delete(res));
        void (this.script.shift() ?? this.fallback)(req, res);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Clears the record and sets the next replies. */
  reset(...script: Reply[]): void {
    this.requests.length = 0;
    this.script = script;
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
