import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyPdf } from "../../src/sandbox/demo-bytes.js";
import { DEMO_IDS } from "../../src/sandbox/index.js";
import { DEMO_JPEG } from "../../src/sandbox/demo-bytes.js";
import { startTestServer, startStack, type Stack } from "../helpers/stack.js";
import { REFRESH_ENV } from "../helpers/refresh-stack.js";

/** The README's shell examples (test/examples/shell), run with bash and curl as a reader would. */
const run = promisify(execFile);
const script = (name: string) =>
  fileURLToPath(new URL(`../examples/shell/${name}`, import.meta.url));

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** Runs a script and reads each line it prints as a GraphQL answer. */
async function answers(name: string, env: Record<string, string>, cwd?: string) {
  const { stdout } = await run("bash", ["-eu", script(name)], {
    env: { ...process.env, ...env },
    cwd,
    timeout: 30_000,
  });
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Answer);
}

let stack: Stack;
let folder: string;
beforeAll(async () => {
  stack = await startStack();
  folder = await mkdtemp(join(tmpdir(), "readme-shell-"));
  await writeFile(join(folder, "report.pdf"), tinyPdf("Quarterly report"));
  await writeFile(join(folder, "face.jpg"), DEMO_JPEG);
});
afterAll(async () => {
  await stack.close();
  await rm(folder, { recursive: true, force: true });
});

describe("the README's shell examples", () => {
  it("first-call.sh lists a record's attachments with the caller's token", async () => {
    const [answer] = await answers("first-call.sh", {
      URL: `${stack.server.url}/graphql`,
      TOKEN: "sandbox-demo-token",
      RECORD: DEMO_IDS.contact,
    });
    expect(answer!.errors).toBeUndefined();
    const record = answer!.data!.record as { attachments: { nodes: unknown[] } };
    expect(record.attachments.nodes).toHaveLength(
      stack.sandbox.store.listAttachments("Contacts", DEMO_IDS.contact).length,
    );
  });

  it("writes.sh uploads, links, deletes, and sets and removes a photo", async () => {
    const target = DEMO_IDS.contactWithoutAttachments;
    const results = await answers("writes.sh", { URL: `${stack.server.url}/graphql` }, folder);
    expect(results).toHaveLength(5);
    for (const result of results) expect(result.errors).toBeUndefined();
    const [upload, link, deleted, photo, unphoto] = results.map((r) => r.data!);
    const uploaded = (upload!.uploadAttachment as { attachment: { id: string; fileName: string } })
      .attachment;
    expect(uploaded.fileName).toBe("report.pdf");
    expect((deleted!.deleteAttachment as { deletedId: string }).deletedId).toBe(uploaded.id);
    expect(link!.attachLink).toMatchObject({ attachment: { linkUrl: "https://example.com/spec" } });
    expect(photo!.uploadPhoto).toMatchObject({ photoUrl: expect.stringContaining("/photo?") });
    expect(unphoto!.deletePhoto).toMatchObject({ photoUrl: null });
    // What is left: the link, and no photo.
    expect(stack.sandbox.store.listAttachments("Contacts", target).map((a) => a.fileName)).toEqual([
      "Spec",
    ]);
    expect(stack.sandbox.store.getRecord("Contacts", target)?.photo).toBeUndefined();
  });

  it("server-credential.sh reads with the server's refresh token and no Authorization header", async () => {
    const server = await startTestServer(stack.sandbox.url, REFRESH_ENV);
    try {
      const [answer] = await answers("server-credential.sh", { URL: `${server.url}/graphql` });
      expect(answer!.errors).toBeUndefined();
      expect(answer!.data!.record).toMatchObject({ module: "Contacts", id: DEMO_IDS.contact });
    } finally {
      await server.close();
    }
  });
});
