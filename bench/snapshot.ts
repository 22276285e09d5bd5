/**
 * bench/snapshot: `snapshot --final-only` for one week with a trained model, through the real CLI
 * (start-up included, as an operator runs it). Setup (ingest, features, train) is not timed.
 * Run: `npm run bench:snapshot`.
 */
import { execFileSync } from "node:child_process";
import { CLI, MIRROR_DIR, tempDir } from "../test/helpers/mirror.ts";

const cwd = tempDir("nflpred-bench-snap-");
const env = { ...process.env, NFLVERSE_MIRROR: MIRROR_DIR, NFL_PRED_LOG_LEVEL: "warn" };
const run = (args: string[]) =>
  execFileSync(process.execPath, [CLI, ...args], { cwd, env, encoding: "utf8" });

run([
  "ingest",
  "--seasons",
  "2018-2025",
  "--datasets",
  "schedules,teams,pbp,injuries,weekly_rosters,depth_charts",
  "--allow-missing",
]);
run(["build-features", "--seasons", "2018-2025"]);
run(["train", "--seasons", "2020-2024"]);

const times: number[] = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  run(["snapshot", "--season", "2025", "--week", "7", "--final-only"]);
  times.push(performance.now() - t);
}
const startup: number[] = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  run(["--version"]);
  startup.push(performance.now() - t);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `snapshot --final-only, 2025 week 7 (15 games, 8 kickoff slots): median ${(median(times) / 1000).toFixed(2)} s wall over ${times.length} runs`,
);
console.log(`  runs: ${times.map((t) => (t / 1000).toFixed(2)).join(", ")} s`);
console.log(`CLI start-up alone (--version): median ${(median(startup) / 1000).toFixed(2)} s`);
