import { existsSync } from "node:fs";
import { join } from "node:path";
import { NflPredError } from "../domain/index.ts";

/** The one font family charts are drawn with; resvg only knows the files we hand it. */
export const CHART_FONT_FAMILY = "DejaVu Sans";

/** Where distributions put DejaVu Sans (Debian/Ubuntu first, then Fedora, Arch, Alpine, Homebrew). */
export const DEFAULT_FONT_DIRS: readonly string[] = [
  "/usr/share/fonts/truetype/dejavu",
  "/usr/share/fonts/dejavu-sans-fonts",
  "/usr/share/fonts/dejavu",
  "/usr/share/fonts/TTF",
  "/usr/share/fonts/ttf-dejavu",
  "/usr/local/share/fonts",
  "/opt/homebrew/share/fonts",
  "/Library/Fonts",
];

const FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"] as const;

/**
 * Finds DejaVuSans.ttf and DejaVuSans-Bold.ttf (titles are bold) in the first directory holding both.
 * Throws rather than rendering: without font files resvg silently drops every label.
 * @example const files = findChartFonts(); // ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", …]
 */
export function findChartFonts(dirs: readonly string[] = DEFAULT_FONT_DIRS): string[] {
  for (const dir of dirs) {
    const files = FILES.map((f) => join(dir, f));
    if (files.every((f) => existsSync(f))) return files;
  }
  throw new NflPredError("MISSING_SOURCE", `chart fonts not found: need ${FILES.join(" and ")}`, {
    value: dirs.join(", "),
    hint: "install the Debian package fonts-dejavu-core (apt-get install -y fonts-dejavu-core)",
  });
}
