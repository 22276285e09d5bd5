export * from "./errors.ts";
export * from "./types.ts";
export * from "./seasons.ts";
