/** Renders rows as an aligned text table (numbers right-aligned). */
export function formatTable(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const cols = columns ?? Object.keys(rows[0] ?? {});
  if (cols.length === 0) return "(no rows)";
  const cells = rows.map((r) => cols.map((c) => formatCell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const numeric = cols.map(
    (c) => rows.length > 0 && rows.every((r) => r[c] === null || typeof r[c] === "number"),
  );
  const line = (vals: readonly string[]) =>
    vals
      .map((v, i) => (numeric[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(cols), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(6)));
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

export function toCsv(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const cols = columns ?? Object.keys(rows[0] ?? {});
  const esc = (v: unknown) => {
    const s = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [cols.join(","), ...rows.map((r) => cols.map((c) => esc(r[c])).join(","))].join("\n") + "\n";
}

/** A calibration slope with its standard error, `0.79 ± 0.11`; the slope alone when the error is unknown. */
export function formatSlope(slope: number, se?: number | null): string {
  return `${slope.toFixed(2)}${se !== null && se !== undefined && Number.isFinite(se) ? ` ± ${se.toFixed(2)}` : ""}`;
}
