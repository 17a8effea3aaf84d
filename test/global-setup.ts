import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Builds dist/ (the server and the explorer's scripts) once, before any test file runs: tests
 * that start the built server (`npm start`, `node dist/main.js`) then find it complete, and none
 * of them rewrites it while another one is starting from it.
 */
export default function setup(): void {
  execFileSync("npm", ["run", "build", "--silent"], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdio: "inherit",
  });
}
