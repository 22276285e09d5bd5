// The CLI as compiled by test/global-setup.ts: the same entry as bin/nfl-pred.js without tsx.
const { main } = await import("../../dist/cli/main.js");
process.exitCode = await main(process.argv);
