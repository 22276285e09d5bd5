import { createRng } from "../../src/model/index.ts";

/** Standard normal draws by Box-Muller on a uniform stream (two uniforms per draw). */
export function normalFrom(uniform: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Standard normals on the model module's seeded stream. */
export function seededNormals(seed: number): () => number {
  return normalFrom(createRng(seed));
}
