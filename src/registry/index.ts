export {
  ARTIFACT_EXT,
  ARTIFACT_FORMAT,
  artifactPath,
  listArtifactFiles,
  type ModelArtifact,
  type ModelSource,
  readArtifact,
  resolveModel,
  type StoredArtifact,
  writeArtifact,
  writeAtomic,
} from "./artifact.ts";
