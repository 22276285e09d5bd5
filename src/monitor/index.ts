export { computePsi, type PsiBin, type PsiOptions, type PsiResult } from "./psi.ts";
