export {
  ARTIFACT_EXT,
  ARTIFACT_FORMAT,
  artifactPath,
  listArtifactFiles,
  type ModelArtifact,
  readArtifact,
  type StoredArtifact,
  writeArtifact,
  writeAtomic,
} from "./artifact.ts";
