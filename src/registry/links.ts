import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { basename, join } from "node:path";
import { NflPredError } from "../domain/index.ts";
import { ARTIFACT_EXT, readArtifact, removeStaleTemps, writeAtomic } from "./artifact.ts";

export type LinkName = "current" | "previous";

/** What `data/models/current` or `data/models/previous` is right now. */
export interface LinkState {
  readonly name: LinkName;
  readonly path: string;
  /** A link (or a plain file of that name) is there. */
  readonly present: boolean;
  /** The link's target as written (`readlink`), or null for a plain file or no link. */
  readonly target: string | null;
  /** The artifact file the name resolves to, or null when absent or dangling. */
  readonly file: string | null;
  /** The model id from the resolved file name, else from a dangling target's name. */
  readonly modelId: string | null;
  /** Present but pointing at nothing. */
  readonly dangling: boolean;
}

/** Where both links should point: artifact file names in the models directory, null for no link. */
export interface LinkPlan {
  readonly current: string | null;
  readonly previous: string | null;
}

const INTENT = ".registry-intent.json";

function modelIdOf(fileName: string): string {
  const base = basename(fileName);
  return base.endsWith(ARTIFACT_EXT) ? base.slice(0, -ARTIFACT_EXT.length) : base;
}

/** Reads one link without following it blindly: a dangling link is reported, not thrown. */
export function readLink(modelsDir: string, name: LinkName): LinkState {
  const path = join(modelsDir, name);
  let isLink = false;
  try {
    isLink = lstatSync(path).isSymbolicLink();
  } catch {
    return { name, path, present: false, target: null, file: null, modelId: null, dangling: false };
  }
  const target = isLink ? readlinkSync(path) : null;
  if (!existsSync(path)) {
    return {
      name,
      path,
      present: true,
      target,
      file: null,
      modelId: target === null ? null : modelIdOf(target),
      dangling: true,
    };
  }
  if (isLink) {
    const file = realpathSync(path);
    return { name, path, present: true, target, file, modelId: modelIdOf(file), dangling: false };
  }
  // A plain copy under the link's name (someone used `cp`): its content names the model.
  let modelId: string | null = null;
  try {
    modelId = readArtifact(path).artifact.modelId;
  } catch {
    modelId = null;
  }
  return { name, path, present: true, target: null, file: path, modelId, dangling: false };
}

export function readModelLinks(modelsDir: string): { current: LinkState; previous: LinkState } {
  return { current: readLink(modelsDir, "current"), previous: readLink(modelsDir, "previous") };
}

/**
 * Points `name` at `fileName` (a file in the models directory) with a relative symlink, atomically: a new
 * link under a temp name renamed over the old one, which is what `ln -sf` should have been. Null removes it.
 */
export function replaceLink(modelsDir: string, name: LinkName, fileName: string | null): void {
  const path = join(modelsDir, name);
  if (fileName === null) {
    rmSync(path, { force: true });
    return;
  }
  removeStaleTemps(modelsDir, name);
  const tmp = `${path}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  symlinkSync(basename(fileName), tmp);
  renameSync(tmp, path);
}

/** The plan a promotion to `fileName` makes: the old current becomes previous when it still resolves. */
export function planPromotion(
  links: { current: LinkState; previous: LinkState },
  fileName: string,
): LinkPlan {
  const name = basename(fileName);
  const old = links.current.file === null ? null : basename(links.current.file);
  if (old === name) return { current: name, previous: previousName(links.previous) };
  return { current: name, previous: old ?? previousName(links.previous) };
}

/**
 * Swaps current and previous. A dangling current is not kept as previous (there is nothing to go back
 * to), so previous is cleared; a missing or dangling previous is an error naming the fix.
 */
export function planRollback(links: { current: LinkState; previous: LinkState }): LinkPlan {
  const { current, previous } = links;
  if (!previous.present) {
    throw new NflPredError(
      "NOT_FOUND",
      "no previous model to roll back to (data/models/previous does not exist)",
      {
        file: previous.path,
        hint: "promote a known-good model instead: `npx nfl-pred models` lists them, then `npx nfl-pred promote --model-id <id> --force`",
      },
    );
  }
  if (previous.file === null) {
    throw new NflPredError(
      "NOT_FOUND",
      `data/models/previous points to a missing artifact (${previous.target ?? "?"})`,
      {
        file: previous.path,
        hint: "promote a known-good model instead: `npx nfl-pred models` lists them, then `npx nfl-pred promote --model-id <id> --force`",
      },
    );
  }
  return {
    current: basename(previous.file),
    previous: current.file === null ? null : basename(current.file),
  };
}

function previousName(previous: LinkState): string | null {
  return previous.file === null ? null : basename(previous.file);
}

/** A registry change in flight: the link plan plus what the command records with it (tags, event). */
export interface PendingChange {
  readonly plan: LinkPlan;
  readonly meta: unknown;
}

/**
 * Two links cannot move in one atomic step, so a change is journalled: `writeIntent` first, then
 * `applyLinkPlan` (each link swapped atomically), then whatever else the change records, then
 * `clearIntent`. A crash anywhere leaves either nothing or the intent, and `readIntent` lets the next
 * registry command finish the change; the links never point at something half-written.
 */
export function writeIntent(modelsDir: string, change: PendingChange): void {
  mkdirSync(modelsDir, { recursive: true });
  writeAtomic(join(modelsDir, INTENT), `${JSON.stringify(change)}\n`);
}

/** The change an interrupted promotion or rollback left behind, if any. */
export function readIntent(modelsDir: string): PendingChange | null {
  const path = join(modelsDir, INTENT);
  if (!existsSync(path)) return null;
  try {
    const raw = JSON.parse(readFileSync(path, "utf8")) as { plan?: Partial<LinkPlan>; meta?: unknown };
    const ok = (v: unknown) => v === null || (typeof v === "string" && !v.includes("/"));
    if (!raw.plan || !ok(raw.plan.current) || !ok(raw.plan.previous)) return null;
    return {
      plan: { current: raw.plan.current ?? null, previous: raw.plan.previous ?? null },
      meta: raw.meta,
    };
  } catch {
    // The intent is written atomically, so an unreadable one was never ours to finish.
    return null;
  }
}

export function clearIntent(modelsDir: string): void {
  rmSync(join(modelsDir, INTENT), { force: true });
}

/** Points both links as planned; idempotent, so finishing an interrupted change is just applying it again. */
export function applyLinkPlan(modelsDir: string, plan: LinkPlan): void {
  // previous first: until current moves, the old current is still served, and previous already names it.
  replaceLink(modelsDir, "previous", plan.previous);
  replaceLink(modelsDir, "current", plan.current);
}
