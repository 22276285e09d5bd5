import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./db.ts";

const threadsOf = async (threads?: number | null) => {
  const db = await openDatabase(join(mkdtempSync(join(tmpdir(), "nflpred-db-")), "t.duckdb"), {
    migrate: false,
    ...(threads === undefined ? {} : { threads }),
  });
  try {
    return Number((await db.one<{ t: string }>("SELECT current_setting('threads') AS t"))!.t);
  } finally {
    db.close();
  }
};

describe("openDatabase threads", () => {
  it("sets DuckDB's worker threads when given and leaves its default otherwise", async () => {
    expect(await threadsOf(1)).toBe(1);
    expect(await threadsOf(3)).toBe(3);
    const dflt = await threadsOf(null);
    expect(dflt).toBeGreaterThan(0);
    expect(await threadsOf()).toBe(dflt);
  });
});
