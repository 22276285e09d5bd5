import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { NflPredError } from "../domain/index.ts";

/** Where the operators keep the flags (relative to the project root; the runbook's path). */
export const RULE_FLAGS_PATH = "data/ref/rule_flags.yml";

/** A closed season range; `to` is undefined for "from this season on". */
export interface SeasonRange {
  readonly from: number;
  readonly to: number | undefined;
}

export interface RuleFlag {
  readonly name: string;
  readonly description: string;
  readonly ranges: readonly SeasonRange[];
}

export type RuleFlagTable = readonly RuleFlag[];

const SEASON_SPEC = /^(\d{4})(?:(\+)|-(\d{4}))?$/;

const seasonSpec = z.union([z.number().int(), z.string()]).transform((v, ctx): SeasonRange => {
  const text = String(v).trim();
  const m = SEASON_SPEC.exec(text);
  if (!m) {
    ctx.addIssue({
      code: "custom",
      message: `'${text}' is not a season (2020), a range (2016-2023) or an open range (2024+)`,
    });
    return z.NEVER;
  }
  const from = Number(m[1]);
  const to = m[2] ? undefined : m[3] ? Number(m[3]) : from;
  if (to !== undefined && to < from) {
    ctx.addIssue({ code: "custom", message: `range '${text}' runs backwards` });
    return z.NEVER;
  }
  return { from, to };
});

const fileSchema = z.strictObject({
  flags: z
    .record(
      z.string(),
      z.strictObject({
        description: z.string().min(1),
        seasons: z.array(seasonSpec).min(1, "list at least one season or range"),
      }),
    )
    .superRefine((flags, ctx) => {
      for (const name of Object.keys(flags)) {
        if (!/^[a-z][a-z0-9_]*$/.test(name)) {
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: `flag name '${name}' is not lower_snake_case`,
          });
        }
      }
    }),
});

/**
 * Validates the rule-flag file: `flags:` maps each flag to a description and the seasons it holds
 * (`2020`, `2016-2023`, `2024+`). `source` names the file in error messages.
 * @example normalizeRuleFlags(readFileSync(path, "utf8"), path)
 */
export function normalizeRuleFlags(text: string, source: string): RuleFlagTable {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (cause) {
    throw new NflPredError("CONFIG", `${source} is not valid YAML: ${(cause as Error).message}`, {
      file: source,
      cause,
    });
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
    throw new NflPredError("CONFIG", `${source}: ${where}: ${issue.message}`, {
      file: source,
      hint: "each flag needs `description:` and `seasons:` (e.g. [2024+] or [2016-2023]); see docs/monitoring.md",
    });
  }
  return Object.entries(parsed.data.flags).map(([name, f]) => ({
    name,
    description: f.description,
    ranges: f.seasons,
  }));
}

/**
 * Which flags hold in a season.
 * @example flagsForSeason(table, 2024) // { kickoff_touchback: false, kickoff_2024plus: true, ot_regular_2025plus: false }
 */
export function flagsForSeason(table: RuleFlagTable, season: number): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const f of table) {
    out[f.name] = f.ranges.some((r) => season >= r.from && (r.to === undefined || season <= r.to));
  }
  return out;
}
