import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page, Request } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ExploreAttachmentsDocument } from "../generated/graphql.js";
import { chromiumMissing, launchChromium, skipOrFailWithoutChromium } from "../helpers/browser.js";
import { npmStart, type NpmStart } from "../helpers/npm-start.js";
import { DEMO_TOKEN, postGraphQL } from "../helpers/stack.js";

/** Screenshots of what a user sees; git ignores the folder. */
const ARTIFACTS = new URL("../../test-results/", import.meta.url);
const APOLLO_CDN = "https://embeddable-sandbox.cdn.apollographql.com/";

const missing = await chromiumMissing();
let browser: Browser | undefined;
/** `npm start`, as a newcomer runs it: Apollo Sandbox first, GraphiQL when it cannot load. */
let sandboxFirst: NpmStart;
/** `GRAPHQL_LANDING_PAGE=offline npm start`: GraphiQL only. */
let offline: NpmStart;

beforeAll(async () => {
  if (missing) return;
  await mkdir(ARTIFACTS, { recursive: true });
  [sandboxFirst, offline, browser] = await Promise.all([
    npmStart(),
    npmStart({ GRAPHQL_LANDING_PAGE: "offline" }),
    launchChromium(),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([sandboxFirst?.stop(), offline?.stop()]);
});

beforeEach((context) => skipOrFailWithoutChromium(missing, context));

/** The browser contexts a test opened; closed after it. */
const opened: BrowserContext[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((context) => context.close()));
});

interface Visit {
  page: Page;
  /** Every URL the page and its workers asked for, in order (WebSockets included). */
  requested: string[];
  failed: string[];
  /** The Content-Encoding of each answer, by URL ("" for none). */
  encodings: Map<string, string>;
  /** Script errors, and what the console printed as an error (CSP refusals among them). */
  errors: string[];
}

/** Opens `url` in a fresh profile (nothing saved from another test), recording its traffic. */
async function visit(url: string, prepare?: (context: BrowserContext) => Promise<unknown>) {
  // Tall enough for the editor to render the whole answer (Monaco draws visible lines only).
  const context = await browser!.newContext({ viewport: { width: 1440, height: 1600 } });
  opened.push(context);
  await prepare?.(context);
  const page = await context.newPage();
  const v: Visit = { page, requested: [], failed: [], encodings: new Map(), errors: [] };
  context.on("request", (request: Request) => v.requested.push(request.url()));
  context.on("response", (response) =>
    v.encodings.set(response.url(), response.headers()["content-encoding"] ?? ""),
  );
  page.on("websocket", (socket) => v.requested.push(socket.url()));
  page.on("requestfailed", (request) => v.failed.push(request.url()));
  page.on("pageerror", (error) => v.errors.push(error.message));
  page.on("console", (message) => {
    // The failed attempt at Apollo's CDN prints one; it is asserted on through `failed`.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      v.errors.push(message.text());
    }
  });
  await page.goto(url);
  return v;
}

/** Saves what the page shows as test-results/NAME.png. */
function screenshot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: fileURLToPath(new URL(`${name}.png`, ARTIFACTS)) });
}

/** The URLs that went to a host other than `server`'s (data: and blob: URLs stay in the page). */
function offHost(v: Visit, server: NpmStart): string[] {
  const host = new URL(server.url).host;
  return v.requested.filter((url) => {
    const { protocol, host: to } = new URL(url);
    return protocol !== "data:" && protocol !== "blob:" && to !== host;
  });
}

/** The visible text of one of GraphiQL's editors, line by line in screen order. */
function editorText(page: Page, selector: string): Promise<string> {
  return page.locator(selector).evaluate((editor) =>
    (
      [...editor.querySelectorAll(".view-line")] as unknown as Array<{
        style: { top: string };
        textContent: string;
      }>
    )
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
      .map((line) => line.textContent!.replace(/\u00a0/g, " "))
      .join("\n"),
  );
}

async function waitForGraphiQL(page: Page): Promise<void> {
  await page.locator(".graphiql-container").waitFor({ timeout: 30_000 });
  await expect
    .poll(() => editorText(page, ".graphiql-query-editor"))
    .toContain("ExploreAttachments");
}

/**
 * Clicks GraphiQL's run button and reads the attachments' names out of the result pane; also
 * returns the request GraphiQL sent.
 */
async function runByClicking(page: Page): Promise<{ fileNames: string[]; sent: Request }> {
  const sent = page.waitForRequest(
    (r) => r.method() === "POST" && /ExploreAttachments/.test(r.postData() ?? ""),
  );
  await page.getByRole("button", { name: /^Execute query/ }).click();
  await expect
    .poll(() => editorText(page, ".result-window"), { timeout: 20_000 })
    .toContain("pageInfo");
  const result = await editorText(page, ".result-window");
  const fileNames = [...result.matchAll(/"fileName": "([^"]*)"/g)].map((match) => match[1]!);
  return { fileNames, sent: await sent };
}

/** What the example query answers when sent by hand: the names the result pane must show. */
async function exampleFileNames(server: NpmStart): Promise<string[]> {
  const { body } = await postGraphQL(server.url, ExploreAttachmentsDocument, undefined, {
    authorization: `Zoho-oauthtoken ${DEMO_TOKEN}`,
  });
  const names = body.data!.record!.attachments!.nodes.map((node) => node.fileName!);
  expect(names.length).toBeGreaterThan(1);
  return names;
}

describe("the explorer at /graphql, in Chromium with no internet", () => {
  it("falls back to GraphiQL when Apollo Sandbox cannot load; runs the example query", async () => {
    const v = await visit(`${sandboxFirst.url}/graphql`);
    await waitForGraphiQL(v.page);
    expect(await v.page.locator("body").innerText()).not.toMatch(/cannot be loaded/i);
    // Opened on the README's query, with the demo token's header filled in.
    expect(await editorText(v.page, ".graphiql-editor-tool")).toContain(
      `"Authorization": "Zoho-oauthtoken ${DEMO_TOKEN}"`,
    );
    const { fileNames, sent } = await runByClicking(v.page);
    expect(fileNames).toEqual(await exampleFileNames(sandboxFirst));
    // JSON and the token: what CSRF prevention and the server ask for.
    expect(sent.url()).toBe(`${sandboxFirst.url}/graphql`);
    expect(await sent.allHeaders()).toMatchObject({
      "content-type": "application/json",
      authorization: `Zoho-oauthtoken ${DEMO_TOKEN}`,
    });
    await screenshot(v.page, "explorer-sandbox-fallback");
    // One attempt at Apollo's CDN, which failed; nothing else left the machine.
    expect(offHost(v, sandboxFirst)).toEqual([expect.stringMatching(`^${APOLLO_CDN}`)]);
    expect(v.failed).toEqual(offHost(v, sandboxFirst));
    expect(v.errors).toEqual([]);
  });

  it("with GRAPHQL_LANDING_PAGE=offline, asks nothing of another host; runs the example query", async () => {
    const v = await visit(`${offline.url}/graphql`);
    await waitForGraphiQL(v.page);
    const { fileNames } = await runByClicking(v.page);
    expect(fileNames).toEqual(await exampleFileNames(offline));
    await screenshot(v.page, "explorer-offline");
    expect(v.requested.length).toBeGreaterThan(10);
    expect(offHost(v, offline)).toEqual([]);
    // Scripts and styles came compressed (brotli: Chromium takes it from loopback and https://).
    const assets = [...v.encodings].filter(([url]) =>
      /\/explorer\/assets\/.*\.(js|css)$/.test(url),
    );
    expect(assets.length).toBeGreaterThan(5);
    expect(assets.filter(([, encoding]) => encoding !== "br")).toEqual([]);
    expect(v.failed).toEqual([]);
    expect(v.errors).toEqual([]);
  });

  it("keeps no token typed into its headers in the browser's storage", async () => {
    const typed = "sandbox-readonly-token";
    const v = await visit(`${offline.url}/graphql`);
    await waitForGraphiQL(v.page);
    await v.page.locator('.graphiql-editor-tool .monaco-editor[data-uri$="headers.json"]').click();
    await v.page.keyboard.press("ControlOrMeta+A");
    await v.page.keyboard.insertText(`{ "Authorization": "Zoho-oauthtoken ${typed}" }`);
    // Less the "}" the editor may have closed on its own after the cursor.
    await v.page.keyboard.press("Shift+End");
    await v.page.keyboard.press("Delete");
    const { fileNames, sent } = await runByClicking(v.page);
    expect(await sent.headerValue("authorization")).toBe(`Zoho-oauthtoken ${typed}`);
    expect(fileNames).toEqual(await exampleFileNames(offline));
    // GraphiQL saved the tab and its history, without the token.
    const stored = await v.page.evaluate(() =>
      JSON.stringify({ ...(globalThis as { localStorage?: object }).localStorage }),
    );
    expect(stored).toContain("ExploreAttachments");
    expect(stored).not.toContain(typed);
    // Reloaded: the same tab, with the demo token's header again.
    await v.page.reload();
    await waitForGraphiQL(v.page);
    expect(await editorText(v.page, ".graphiql-editor-tool")).toContain(DEMO_TOKEN);
  });

  it("documents the schema from introspection", async () => {
    const v = await visit(`${offline.url}/graphql`);
    await waitForGraphiQL(v.page);
    await v.page.getByRole("button", { name: "Show Documentation Explorer" }).click();
    const docs = v.page.locator(".graphiql-doc-explorer");
    await expect.poll(() => docs.innerText()).toMatch(/query:\s*Query/);
    expect(await docs.innerText()).toContain("BiginAttachmentConnection");
    await docs.getByRole("link", { name: "Query", exact: true }).click();
    await expect.poll(() => docs.innerText()).toMatch(/record\(/);
    await screenshot(v.page, "explorer-docs");
  });

  it("opens GraphiQL straight away with ?explorer=graphiql", async () => {
    const v = await visit(`${sandboxFirst.url}/graphql?explorer=graphiql`);
    await waitForGraphiQL(v.page);
    expect(offHost(v, sandboxFirst)).toEqual([]);
  });

  it("serves Apollo Sandbox, set up like GraphiQL, when Apollo's CDN answers", async () => {
    // A stand-in for Apollo's script: records what the page asks of it.
    const stub = `window.EmbeddedSandbox = function (options) {
      window.sandboxOptions = JSON.parse(JSON.stringify({ ...options, target: options.target.id }));
      options.target.append(document.createElement("iframe"));
    };`;
    const v = await visit(`${sandboxFirst.url}/graphql`, (context) =>
      context.route(`${APOLLO_CDN}**`, (route) =>
        route.fulfill({ contentType: "text/javascript", body: stub }),
      ),
    );
    const options = await v.page
      .waitForFunction(() => (globalThis as { sandboxOptions?: unknown }).sandboxOptions)
      .then((handle) => handle.jsonValue());
    expect(options).toMatchObject({
      target: "explorer",
      initialEndpoint: `${sandboxFirst.url}/graphql`,
      initialState: {
        document: expect.stringContaining("query ExploreAttachments"),
        headers: { Authorization: `Zoho-oauthtoken ${DEMO_TOKEN}` },
        includeCookies: false,
      },
      endpointIsEditable: false,
    });
    expect(await v.page.locator("#explorer > iframe").count()).toBe(1);
    // GraphiQL is not loaded behind it.
    expect(v.requested.filter((url) => url.includes("/graphiql-"))).toEqual([]);
    expect(v.errors).toEqual([]);
  });
});
