import { randomUUID } from "node:crypto";
import type { Database } from "../storage/index.ts";

export type RegistryAction = "promote" | "candidate" | "rollback";

/** One change to the registry, kept in the `registry_events` table. */
export interface RegistryEvent {
  readonly action: RegistryAction;
  readonly modelId: string | null;
  readonly modelSha256: string | null;
  /** The model that stopped being current (promote, rollback). */
  readonly replacedModelId: string | null;
  readonly forced: boolean;
  readonly checks: unknown;
  readonly note: string | null;
}

export interface StoredRegistryEvent extends RegistryEvent {
  readonly eventId: string;
  readonly createdAt: string;
}

/** A fresh event id (events carry it from the intent journal, so finishing a change never records it twice). */
export function newEventId(): string {
  return randomUUID();
}

/** Stores an event once: a second call with the same `eventId` is ignored. */
export async function recordRegistryEvent(
  db: Database,
  e: RegistryEvent & { readonly eventId: string },
  createdAt: number,
): Promise<void> {
  await db.run(
    `INSERT OR IGNORE INTO registry_events (event_id, action, model_id, model_sha256, replaced_model_id, forced, checks, note, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?::JSON, ?, ?::TIMESTAMPTZ)`,
    [
      e.eventId,
      e.action,
      e.modelId,
      e.modelSha256,
      e.replacedModelId,
      e.forced,
      JSON.stringify(e.checks ?? null),
      e.note,
      new Date(createdAt).toISOString(),
    ],
  );
}

/** Events newest first (`limit` of them). */
export async function loadRegistryEvents(db: Database, limit = 50): Promise<StoredRegistryEvent[]> {
  if (!(await db.tableExists("registry_events"))) return [];
  const rows = await db.all(
    `SELECT event_id, action, model_id, model_sha256, replaced_model_id, forced, checks::VARCHAR AS checks, note, created_at
     FROM registry_events ORDER BY created_at DESC, event_id LIMIT ?`,
    [limit],
  );
  return rows.map((r) => ({
    eventId: String(r.event_id),
    action: r.action as RegistryAction,
    modelId: (r.model_id as string | null) ?? null,
    modelSha256: (r.model_sha256 as string | null) ?? null,
    replacedModelId: (r.replaced_model_id as string | null) ?? null,
    forced: Boolean(r.forced),
    checks: r.checks === null ? null : (JSON.parse(String(r.checks)) as unknown),
    note: (r.note as string | null) ?? null,
    createdAt: String(r.created_at),
  }));
}
