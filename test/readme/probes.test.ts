import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startStack, type Stack } from "../helpers/stack.js";

/** The README's Kubernetes probes (test/examples/deploy/probes.yaml), checked against the server. */
interface Probe {
  httpGet: { path: string; port: number };
  periodSeconds: number;
  failureThreshold?: number;
}
const probes = parse(
  readFileSync(new URL("../examples/deploy/probes.yaml", import.meta.url), "utf8"),
) as { livenessProbe: Probe; readinessProbe: Probe; terminationGracePeriodSeconds: number };

/** How long a stop waits at most for requests in flight (fastifyApolloDrainPlugin's cap). */
const DRAIN_MS = 10_000;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe("the README's probes", () => {
  it("name the port the server listens on by default", async () => {
    const { loadConfig } = await import("../../src/config.js");
    const { port } = loadConfig({});
    expect(probes.livenessProbe.httpGet.port).toBe(port);
    expect(probes.readinessProbe.httpGet.port).toBe(port);
  });

  it.each([
    ["liveness", () => probes.livenessProbe],
    ["readiness", () => probes.readinessProbe],
  ])("%s: its path answers 200 on a healthy server", async (_name, probe) => {
    const response = await fetch(`${stack.server.url}${probe().httpGet.path}`);
    expect(response.status).toBe(200);
  });

  it("give a stop more time than the drain takes", () => {
    expect(probes.terminationGracePeriodSeconds * 1000).toBeGreaterThan(DRAIN_MS);
  });
});
