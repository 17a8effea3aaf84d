import { ConfigError, loadConfig } from "../../src/config.js";

/** What loadConfig says is wrong with `env`, or "" when it takes it. */
export function configProblems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return "";
}
