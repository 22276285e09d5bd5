import { realpathSync, statSync } from "node:fs";
import { readArtifact, type StoredArtifact } from "../registry/index.ts";

/**
 * Model artifacts read once and kept while their file is unchanged: reading one hashes and parses the
 * whole file, too slow to repeat for every page of a registry with large tree models.
 */
export class ArtifactCache {
  private readonly entries = new Map<string, { key: string; value: StoredArtifact | Error }>();

  /** The artifact at `path` (symlinks followed), or the error that makes it unreadable. */
  read(path: string): StoredArtifact | Error {
    let real: string;
    let key: string;
    try {
      real = realpathSync(path);
      const st = statSync(real);
      key = `${st.mtimeMs}|${st.size}`;
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
    const hit = this.entries.get(real);
    if (hit && hit.key === key) return hit.value;
    let value: StoredArtifact | Error;
    try {
      value = readArtifact(real);
    } catch (e) {
      value = e instanceof Error ? e : new Error(String(e));
    }
    this.entries.set(real, { key, value });
    return value;
  }
}
