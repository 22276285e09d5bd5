/**
 * The one error style of nfl-pred: every expected failure is an `NflPredError` with a stable `code`,
 * the exit code the CLI must use, and the offending file / column / flag / value where there is one.
 *
 * @example
 * throw new NflPredError("CONTRACT", "missing column 'gameday'", { exitCode: 2, file: "schedules/games.csv", column: "gameday" });
 */
export type ErrorCode =
  | "USAGE"
  | "CONFIG"
  | "CONTRACT"
  | "MISSING_SOURCE"
  | "HTTP"
  | "LOCKED"
  | "SCHEMA"
  | "NOT_FOUND"
  | "NO_DATA"
  | "MODEL"
  | "INTEGRITY"
  | "ALERT";

export interface ErrorContext {
  readonly exitCode?: number | undefined;
  readonly file?: string | undefined;
  readonly column?: string | undefined;
  readonly flag?: string | undefined;
  readonly value?: string | undefined;
  readonly hint?: string | undefined;
  readonly cause?: unknown;
}

const DEFAULT_EXIT: Record<ErrorCode, number> = {
  USAGE: 2,
  CONFIG: 2,
  CONTRACT: 2,
  MISSING_SOURCE: 2,
  HTTP: 2,
  LOCKED: 3,
  SCHEMA: 2,
  NOT_FOUND: 1,
  NO_DATA: 1,
  MODEL: 2,
  INTEGRITY: 2,
  ALERT: 4,
};

export class NflPredError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly file: string | undefined;
  readonly column: string | undefined;
  readonly flag: string | undefined;
  readonly value: string | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, ctx: ErrorContext = {}) {
    super(message, ctx.cause === undefined ? undefined : { cause: ctx.cause });
    this.name = "NflPredError";
    this.code = code;
    this.exitCode = ctx.exitCode ?? DEFAULT_EXIT[code];
    this.file = ctx.file;
    this.column = ctx.column;
    this.flag = ctx.flag;
    this.value = ctx.value;
    this.hint = ctx.hint;
  }
}

export function isNflPredError(e: unknown): e is NflPredError {
  return e instanceof NflPredError;
}
