import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { featureSpecChecksum, renderFeatureSpec } from "../../features/index.ts";
import { type CommonOptions, configFor, type Runtime } from "../runtime.ts";
import { resolveFeatureSet } from "./build-features.ts";

interface FeatureSpecOptions extends CommonOptions {
  readonly featureSet?: string;
  readonly out: string;
}

/** The spec text and checksum of a feature set (the checksum goes into artifacts and the audit trail). */
export function featureSpecOf(featureSet: string): { text: string; checksum: string } {
  const text = renderFeatureSpec(featureSet, resolveFeatureSet(featureSet));
  return { text, checksum: featureSpecChecksum(text) };
}

export function registerFeatureSpec(program: Command, rt: Runtime): void {
  program
    .command("feature-spec")
    .description("write the feature spec (docs/feature_spec.md) from the registry and print its checksum")
    .option("--feature-set <id>", "feature set (default from config: mvp_v1)")
    .option("--out <path>", "output file", "docs/feature_spec.md")
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .action((opts: FeatureSpecOptions) => {
      const cfg = configFor(rt, opts);
      const featureSet = opts.featureSet ?? cfg.features.feature_set;
      const spec = featureSpecOf(featureSet);
      const out = resolve(rt.cwd, opts.out);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(`${out}.tmp`, spec.text);
      renameSync(`${out}.tmp`, out);
      rt.out(`Wrote ${out}`);
      rt.out(`feature_spec_checksum ${featureSet} sha256:${spec.checksum}`);
    });
}
