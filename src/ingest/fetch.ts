import { readFile, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { NflPredError } from "../domain/index.ts";

export interface FetchPolicy {
  readonly timeoutMs: number;
  readonly retries: number;
  readonly backoffMs: number;
}

export type FetchOutcome =
  | { readonly kind: "ok"; readonly bytes: Buffer; readonly etag: string | null; readonly url: string }
  | { readonly kind: "not_modified"; readonly url: string }
  | { readonly kind: "missing"; readonly url: string; readonly status: number };

export interface FetchEffects {
  readonly fetch: typeof globalThis.fetch;
  readonly onRetry?: (info: { url: string; attempt: number; reason: string; delayMs: number }) => void;
}

const isHttp = (u: string) => /^https?:\/\//i.test(u);

/**
 * Gets one source file from an http(s) URL or a mirror directory. Retries network errors, timeouts, 429
 * and 5xx with exponential backoff; a 404 is final ("missing"); redirects are followed.
 */
export async function fetchSource(
  url: string,
  policy: FetchPolicy,
  effects: FetchEffects,
  etag?: string | null,
): Promise<FetchOutcome> {
  if (!isHttp(url)) return readLocal(url);
  let lastReason = "";
  for (let attempt = 0; attempt <= policy.retries; attempt++) {
    let retryAfterMs: number | undefined;
    try {
      const headers: Record<string, string> = { "user-agent": "nfl-pred (+https://github.com/nflverse)" };
      if (etag) headers["if-none-match"] = etag;
      const res = await effects.fetch(url, {
        redirect: "follow",
        headers,
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      if (res.status === 304) return { kind: "not_modified", url };
      if (res.status === 404 || res.status === 410) {
        await res.body?.cancel();
        return { kind: "missing", url, status: res.status };
      }
      if (res.ok) {
        const bytes = Buffer.from(await res.arrayBuffer());
        const declared = Number(res.headers.get("content-length") ?? Number.NaN);
        const encoded = res.headers.get("content-encoding");
        if (!encoded && Number.isFinite(declared) && declared !== bytes.length) {
          throw new Error(`truncated body: ${bytes.length} of ${declared} bytes`);
        }
        return { kind: "ok", bytes, etag: res.headers.get("etag"), url: res.url || url };
      }
      await res.body?.cancel();
      if (res.status !== 429 && res.status < 500) {
        throw new NflPredError("HTTP", `GET ${url} failed with HTTP ${res.status}`, { file: url });
      }
      lastReason = `HTTP ${res.status}`;
      retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
    } catch (e) {
      if (e instanceof NflPredError) throw e;
      lastReason = describeFetchError(e, policy.timeoutMs);
    }
    if (attempt === policy.retries) break;
    const delayMs = retryAfterMs ?? policy.backoffMs * 2 ** attempt;
    effects.onRetry?.({ url, attempt: attempt + 1, reason: lastReason, delayMs });
    await sleep(delayMs);
  }
  throw new NflPredError("HTTP", `GET ${url} failed after ${policy.retries + 1} attempts: ${lastReason}`, {
    file: url,
    hint: "check the network or NFLVERSE_MIRROR, then re-run; nothing was stored",
  });
}

async function readLocal(path: string): Promise<FetchOutcome> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return { kind: "missing", url: path, status: 404 };
    return { kind: "ok", bytes: await readFile(path), etag: null, url: path };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing", url: path, status: 404 };
    throw new NflPredError("HTTP", `cannot read ${path}: ${(e as Error).message}`, { file: path, cause: e });
  }
}

function parseRetryAfter(v: string | null): number | undefined {
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.min(secs * 1000, 60_000);
  return undefined;
}

function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError") return `timed out after ${timeoutMs} ms`;
  const cause = err.cause?.code ?? err.cause?.message;
  // undici reports a body cut short by the server as a bare "terminated".
  if (err.message === "terminated")
    return `connection closed before the whole body arrived (${cause ?? "terminated"})`;
  return cause ? `${err.message} (${cause})` : err.message;
}
