import { basename, join } from "node:path";
import type { Command } from "commander";
import type { Config } from "../../config/index.ts";
import { NflPredError } from "../../domain/index.ts";
import { defsForColumns, type FeatureRow, findFeatureSet } from "../../features/index.ts";
import {
  applyLinkPlan,
  artifactPath,
  clearIntent,
  countInSample,
  type EvalGame,
  type EvaluationSet,
  judgePromotion,
  type LinkPlan,
  type ModelArtifact,
  newEventId,
  type PendingChange,
  type PromotionCheck,
  planPromotion,
  promotionAllowed,
  type RegistryEvent,
  readArtifact,
  readIntent,
  readModelLinks,
  recordRegistryEvent,
  type Scored,
  type StoredArtifact,
  selectEvaluationGames,
  writeIntent,
} from "../../registry/index.ts";
import { brierScore, slopeWithError } from "../../report/index.ts";
import { predictGames } from "../../snapshot/index.ts";
import type { Database } from "../../storage/index.ts";
import type { TrackingStore } from "../../tracking/index.ts";
import { parseInteger } from "../args.ts";
import { type CommonOptions, configFor, type Runtime, withDatabase } from "../runtime.ts";
import { formatTable } from "../table.ts";
import { type LabelledPair, loadGamePairs } from "../training-data.ts";
import { peekArtifact, trackingFor } from "./models.ts";

interface PromoteOptions extends CommonOptions {
  readonly modelId?: string;
  readonly candidate?: boolean;
  readonly force?: boolean;
  readonly evalWeeks: string;
  readonly resume?: boolean;
  readonly json?: boolean;
}

/** What a registry change records besides the links; carried in the intent so a resumed change records it too. */
export interface ChangeMeta {
  readonly event: RegistryEvent & { readonly eventId: string };
  readonly createdAt: number;
  readonly tags: readonly { readonly runId: string; readonly modelId: string; readonly stage: string }[];
  readonly note?: { readonly runId: string; readonly text: string };
}

/** The MLflow run of the artifact file `fileName` in the models directory, if it names one. */
export function runIdOf(modelsDir: string, fileName: string | null): string | null {
  if (fileName === null) return null;
  return peekArtifact(join(modelsDir, basename(fileName))).artifact?.trackingRunId ?? null;
}

export function modelIdOfFile(fileName: string | null): string | null {
  return fileName === null ? null : basename(fileName).replace(/\.model\.json$/, "");
}

export type StageTag = ChangeMeta["tags"][number];

/** Tags MLflow runs; a missing or deleted run is a warning (the links are the truth), not a failure. */
async function applyTags(
  rt: Runtime,
  store: TrackingStore,
  tags: readonly StageTag[],
  note?: ChangeMeta["note"],
): Promise<void> {
  for (const t of tags) {
    try {
      await store.setTag(t.runId, "stage", t.stage);
    } catch (e) {
      rt.out(
        `warning: could not tag MLflow run ${t.runId} (${t.modelId}) stage=${t.stage}: ${(e as Error).message}`,
      );
    }
  }
  if (note) {
    try {
      await store.setTag(note.runId, "mlflow.note.content", note.text);
    } catch {
      // The stage tag above already warned about this run.
    }
  }
}

/**
 * Journals, applies and records a link change: intent → links → MLflow tags → registry event → intent
 * cleared. Any crash in between is finished by the next `promote`/`rollback` (see `finishPendingChange`).
 */
export async function commitChange(
  rt: Runtime,
  cfg: Config,
  db: Database,
  store: TrackingStore,
  plan: LinkPlan,
  meta: ChangeMeta,
): Promise<void> {
  const dir = cfg.paths.models_dir;
  writeIntent(dir, { plan, meta });
  await completeChange(rt, dir, db, store, { plan, meta });
}

async function completeChange(
  rt: Runtime,
  dir: string,
  db: Database,
  store: TrackingStore,
  change: PendingChange,
): Promise<void> {
  applyLinkPlan(dir, change.plan);
  const meta = change.meta as ChangeMeta | undefined;
  if (meta?.tags) await applyTags(rt, store, meta.tags, meta.note);
  if (meta?.event) await recordRegistryEvent(db, meta.event, meta.createdAt);
  clearIntent(dir);
}

/** Finishes a promotion or rollback a crash interrupted; says so when there was one. */
export async function finishPendingChange(
  rt: Runtime,
  cfg: Config,
  db: Database,
  store: TrackingStore,
): Promise<boolean> {
  const dir = cfg.paths.models_dir;
  const pending = readIntent(dir);
  if (pending === null) {
    clearIntent(dir);
    return false;
  }
  await completeChange(rt, dir, db, store, pending);
  const action = (pending.meta as ChangeMeta | undefined)?.event?.action ?? "registry change";
  rt.out(
    `Finished an interrupted ${action}: current → ${pending.plan.current ?? "(none)"}, previous → ${pending.plan.previous ?? "(none)"}`,
  );
  return true;
}

function toRows(p: LabelledPair): FeatureRow[] {
  const base = { season: p.season, week: p.week, gameId: p.gameId, kickoff: p.kickoff, asOf: p.asOf };
  return [
    { ...base, team: p.homeTeam, opponent: p.awayTeam, isHome: true, label: p.label, values: p.home },
    {
      ...base,
      team: p.awayTeam,
      opponent: p.homeTeam,
      isHome: false,
      label: p.label === null ? null : 1 - p.label,
      values: p.away,
    },
  ];
}

/** Why `a` cannot score today's feature rows, or null when it can. */
function incompatibility(a: ModelArtifact): string | null {
  const defs = findFeatureSet(a.featureSet);
  if (!defs) return `unknown feature set ${a.featureSet}`;
  const { missing } = defsForColumns(defs, a.designColumns);
  if (missing.length > 0) {
    return `uses ${missing.join(", ")}, not in the current feature set ${a.featureSet} (retrain it)`;
  }
  return null;
}

function score(a: ModelArtifact, pairs: ReadonlyMap<string, LabelledPair>, set: EvaluationSet): Scored {
  const why = incompatibility(a);
  if (why) return { modelId: a.modelId, error: why };
  const defs = findFeatureSet(a.featureSet)!;
  const chosen = set.games.map((g) => pairs.get(g.gameId)!);
  try {
    const preds = predictGames(a, defs, chosen.flatMap(toRows));
    const byId = new Map(preds.map((p) => [p.gameId, p.pHome]));
    const p = chosen.map((c) => byId.get(c.gameId)!);
    const y = chosen.map((c) => c.label!);
    const { slope, se } = slopeWithError(p, y);
    return {
      modelId: a.modelId,
      n: p.length,
      brier: brierScore(p, y),
      slope,
      slopeSe: se,
      meanPHome: p.length > 0 ? p.reduce((s, v) => s + v, 0) / p.length : Number.NaN,
      inSample: countInSample(set.games, a.trainingWindow),
    };
  } catch (e) {
    return { modelId: a.modelId, error: (e as Error).message };
  }
}

async function completedPairs(db: Database, featureSet: string): Promise<Map<string, LabelledPair>> {
  const defs = findFeatureSet(featureSet);
  if (!defs) return new Map();
  const pairs = await loadGamePairs(
    db,
    featureSet,
    defs.map((d) => d.name),
  );
  return new Map(pairs.filter((p) => p.label !== null).map((p) => [p.gameId, p]));
}

export interface Assessment {
  readonly checks: PromotionCheck[];
  readonly evaluation: EvaluationSet;
  readonly candidate: Scored;
  readonly production: Scored | null;
}

/**
 * Scores the candidate and the production model on the same completed games (see
 * `selectEvaluationGames`) and judges the runbook's criteria.
 */
export async function assessCandidate(
  db: Database,
  candidate: ModelArtifact,
  production: { artifact: ModelArtifact } | { modelId: string; error: string } | null,
  weeks: number,
): Promise<Assessment> {
  const candPairs = await completedPairs(db, candidate.featureSet);
  const prodArtifact = production && "artifact" in production ? production.artifact : null;
  const prodPairs =
    prodArtifact === null
      ? candPairs
      : prodArtifact.featureSet === candidate.featureSet
        ? candPairs
        : await completedPairs(db, prodArtifact.featureSet);
  const prodUsable = prodArtifact !== null && incompatibility(prodArtifact) === null;
  const games: EvalGame[] = [...candPairs.values()]
    .filter((p) => !prodUsable || prodPairs.has(p.gameId))
    .map((p) => ({ gameId: p.gameId, season: p.season, week: p.week, kickoff: p.kickoff }));
  const windows = [candidate.trainingWindow, ...(prodArtifact ? [prodArtifact.trainingWindow] : [])];
  const evaluation = selectEvaluationGames(games, windows, weeks);
  const candScore = score(candidate, candPairs, evaluation);
  const prodScore: Scored | null =
    production === null
      ? null
      : "artifact" in production
        ? score(production.artifact, prodPairs, evaluation)
        : production;
  return {
    checks: judgePromotion({ candidate: candScore, production: prodScore, evaluation }),
    evaluation,
    candidate: candScore,
    production: prodScore,
  };
}

function printAssessment(rt: Runtime, a: Assessment, force: boolean): void {
  rt.out(
    formatTable(
      a.checks.map((c) => ({
        check: c.name,
        result: c.ok ? "pass" : c.forceable && force ? "FAIL (forced)" : "FAIL",
        detail: c.detail,
      })),
    ),
  );
  const mean = (s: Scored | null) =>
    s && "meanPHome" in s && Number.isFinite(s.meanPHome) ? s.meanPHome.toFixed(3) : null;
  const cm = mean(a.candidate);
  const pm = mean(a.production);
  if (cm !== null) {
    rt.out(`Mean p_home_win on these games: candidate ${cm}${pm === null ? "" : `, production ${pm}`}`);
  }
  if (!a.evaluation.outOfSample && a.evaluation.games.length > 0) {
    rt.out(
      "note: no completed games after both training windows yet, so the evaluation uses games a model saw in training; the comparison favours that model",
    );
  }
}

export function registerPromote(program: Command, rt: Runtime): void {
  program
    .command("promote")
    .description("check a model against the runbook's criteria and make it production (or tag it candidate)")
    .option("--model-id <id>", "model id under data/models/ (see `nfl-pred models`)")
    .option("--candidate", "only tag the model's MLflow run stage=candidate (after the same checks)")
    .option("--force", "promote even when a Brier or reliability check fails (never an unscoreable model)")
    .option("--eval-weeks <n>", "latest completed weeks both models are scored on", "8")
    .option("--resume", "only finish a promotion or rollback that a crash interrupted")
    .option("--json", "print the checks and outcome as JSON")
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .addHelpText(
      "after",
      `
Checks (runbook, Model Promotion): the candidate must score today's feature rows; on the same completed
games (the latest --eval-weeks weeks after both models' training windows, else the latest weeks overall,
flagged as in-sample) its Brier must be ≤ the production model's, and its reliability slope (logistic
recalibration of the outcome on logit p) within 1 ± 0.05. On pass (or --force) data/models/current moves to
the model and data/models/previous to the old one, each by an atomic symlink swap, journalled so a crash
is finished by the next promote/rollback; MLflow runs are tagged stage=production / stage=previous and the
change is recorded in the registry_events table.`,
    )
    .action(async (opts: PromoteOptions) => {
      const cfg = configFor(rt, opts);
      const weeks = parseInteger(opts.evalWeeks, "--eval-weeks", 1, 60);
      if (!opts.resume && !opts.modelId) {
        throw new NflPredError("USAGE", "promote needs --model-id <id> (or --resume)", {
          flag: "--model-id",
          hint: "list models with `npx nfl-pred models`",
        });
      }
      const dir = cfg.paths.models_dir;
      const store = trackingFor(rt, cfg);
      await withDatabase(cfg, async (db) => {
        const resumed = await finishPendingChange(rt, cfg, db, store);
        if (opts.resume) {
          if (!resumed) rt.out("No interrupted promotion or rollback to finish.");
          return;
        }
        const modelId = opts.modelId!;
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(modelId)) {
          throw new NflPredError("USAGE", `--model-id: '${modelId}' is not a model id`, {
            flag: "--model-id",
            value: modelId,
            hint: "list models with `npx nfl-pred models`",
          });
        }
        const cand: StoredArtifact = readArtifact(artifactPath(dir, modelId));
        const links = readModelLinks(dir);
        const isCurrent = links.current.file !== null && links.current.modelId === cand.artifact.modelId;
        if (isCurrent && !opts.candidate) {
          rt.out(`${modelId} is already production (data/models/current); nothing to do.`);
          return;
        }
        if (isCurrent && opts.candidate) {
          throw new NflPredError("USAGE", `${modelId} is production already; it cannot become a candidate`, {
            flag: "--candidate",
          });
        }
        let production: Parameters<typeof assessCandidate>[2] = null;
        if (links.current.dangling) {
          rt.out(
            `warning: data/models/current points to a missing artifact (${links.current.target}); comparing against nothing`,
          );
        } else if (links.current.file !== null) {
          try {
            production = { artifact: readArtifact(links.current.file).artifact };
          } catch (e) {
            production = { modelId: links.current.modelId ?? "current", error: (e as Error).message };
          }
        }
        const assessment = await assessCandidate(db, cand.artifact, production, weeks);
        const force = Boolean(opts.force);
        const allowed = promotionAllowed(assessment.checks, force);
        const forced = allowed && assessment.checks.some((c) => !c.ok);
        if (!opts.json) {
          rt.out(
            `${opts.candidate ? "Candidate" : "Promotion"} checks for ${modelId} (sha256 ${cand.sha256.slice(0, 12)}… ok):`,
          );
          printAssessment(rt, assessment, force);
        }
        const result = {
          model_id: modelId,
          action: opts.candidate ? "candidate" : "promote",
          allowed,
          forced,
          checks: assessment.checks,
          evaluation: {
            games: assessment.evaluation.games.length,
            weeks: assessment.evaluation.weeks,
            out_of_sample: assessment.evaluation.outOfSample,
          },
          candidate: assessment.candidate,
          production: assessment.production,
        };
        if (!allowed) {
          if (opts.json) rt.out(JSON.stringify(result, null, 2));
          const hard = assessment.checks.find((c) => !c.ok && !c.forceable);
          throw new NflPredError(
            "MODEL",
            hard
              ? `${modelId} cannot be ${opts.candidate ? "a candidate" : "promoted"}: ${hard.detail}`
              : `${opts.candidate ? "candidate tagging" : "promotion"} of ${modelId} refused: ${assessment.checks.filter((c) => !c.ok).length} check(s) failed`,
            {
              exitCode: hard ? 2 : 1,
              hint: hard
                ? "retrain with `npx nfl-pred train` for the current feature spec"
                : assessment.checks.every((c) => c.ok || c.inconclusive)
                  ? "the failed check is within its standard error: score more games (a larger --eval-weeks; the error " +
                    "falls as 1/√n), or pass --force to override (the Modeling Lead's sign-off)"
                  : "improve the model, or pass --force to override (the Modeling Lead's sign-off)",
            },
          );
        }
        const now = rt.now();
        const checksRecord = assessment.checks.map((c) => ({ name: c.name, ok: c.ok, detail: c.detail }));
        const candRun = cand.artifact.trackingRunId;
        if (opts.candidate) {
          if (candRun) {
            await applyTags(rt, store, [{ runId: candRun, modelId, stage: "candidate" }]);
          } else {
            rt.out(`warning: ${modelId} has no MLflow run to tag; recorded in registry_events only`);
          }
          await recordRegistryEvent(
            db,
            {
              eventId: newEventId(),
              action: "candidate",
              modelId,
              modelSha256: cand.sha256,
              replacedModelId: null,
              forced,
              checks: checksRecord,
              note: null,
            },
            now,
          );
          if (opts.json) rt.out(JSON.stringify({ ...result, done: true }, null, 2));
          else
            rt.out(
              `Tagged ${modelId} stage=candidate${candRun ? ` (MLflow run ${candRun})` : ""}${forced ? " (forced)" : ""}.`,
            );
          return;
        }
        const plan = planPromotion(links, basename(cand.path));
        const oldCurrent = links.current.file === null ? null : basename(links.current.file);
        const oldPrevious = links.previous.file === null ? null : basename(links.previous.file);
        const tags: StageTag[] = [];
        if (candRun) tags.push({ runId: candRun, modelId, stage: "production" });
        const prevRun = runIdOf(dir, plan.previous);
        if (prevRun && plan.previous)
          tags.push({ runId: prevRun, modelId: modelIdOfFile(plan.previous)!, stage: "previous" });
        if (oldPrevious && oldPrevious !== plan.previous && oldPrevious !== plan.current) {
          const run = runIdOf(dir, oldPrevious);
          if (run) tags.push({ runId: run, modelId: modelIdOfFile(oldPrevious)!, stage: "none" });
        }
        const note = `Promoted to production ${new Date(now).toISOString()}${forced ? " (forced)" : ""}; replaced ${modelIdOfFile(oldCurrent) ?? "nothing"}. Checks: ${assessment.checks.map((c) => `${c.name}: ${c.ok ? "pass" : "FAIL"} (${c.detail})`).join("; ")}`;
        await commitChange(rt, cfg, db, store, plan, {
          event: {
            eventId: newEventId(),
            action: "promote",
            modelId,
            modelSha256: cand.sha256,
            replacedModelId: modelIdOfFile(oldCurrent),
            forced,
            checks: checksRecord,
            note: null,
          },
          createdAt: now,
          tags,
          ...(candRun ? { note: { runId: candRun, text: note } } : {}),
        });
        if (opts.json) {
          rt.out(
            JSON.stringify(
              { ...result, done: true, current: plan.current, previous: plan.previous },
              null,
              2,
            ),
          );
          return;
        }
        rt.out(`Promoted ${modelId}${forced ? " (forced)" : ""}: data/models/current → ${plan.current}`);
        rt.out(`data/models/previous → ${plan.previous ?? "(none)"}`);
        if (candRun) rt.out(`MLflow run ${candRun} tagged stage=production`);
        rt.out(
          "Re-run the final snapshot if this week's predictions should use it: `npx nfl-pred snapshot --season S --week W --final-only`",
        );
      });
    });
}
