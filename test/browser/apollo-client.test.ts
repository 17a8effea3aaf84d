import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_IDS } from "../../src/sandbox/index.js";
import type { App } from "./app/main.js";
import { serveBrowserApp } from "../helpers/browser-app.js";
import {
  BROWSER_TESTS_REQUIRED,
  chromiumMissing,
  launchChromium,
  type PageServer,
} from "../helpers/browser.js";
import { IDS } from "../helpers/ids.js";
import { DEMO_TOKEN, startStack, type Stack } from "../helpers/stack.js";

/**
 * The README's frontend files (test/examples/frontend: client, cache policies, error handling,
 * paging) with Apollo Client's development build, in Chromium, on an origin of their own,
 * against the sandbox. Any warning or error Apollo Client (or the page) prints fails the test.
 */
const missing = await chromiumMissing();

let browser: Browser | undefined;
let appServer: PageServer | undefined;
let page: Page;
let stack: Stack;
/** What the page printed as a warning or an error, or threw, during the current test. */
let printed: string[] = [];
/** The requests the page made to the API during the current test: `METHOD path?query`. */
let requests: string[] = [];

interface Target {
  uri: string;
  token: string;
}

/** Runs `fn` in the page with `window.app` (test/browser/app/main.ts) and the API's address. */
function inApp<A, R>(fn: (app: App, target: Target, arg: A) => Promise<R>, arg?: A): Promise<R> {
  return page.evaluate(
    async ([source, target, value]) => {
      const { app } = globalThis as unknown as { app: App };
      const run = new Function(`return (${source})`)() as typeof fn;
      return run(app, target, value as A);
    },
    [fn.toString(), { uri: `${stack.server.url}/graphql`, token: DEMO_TOKEN }, arg] as const,
  );
}

beforeAll(async () => {
  if (missing) return;
  stack = await startStack();
  appServer = await serveBrowserApp();
  browser = await launchChromium();
  page = await browser.newPage();
  page.on("console", (message) => {
    if (message.type() === "warning" || message.type() === "error") {
      printed.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => printed.push(`pageerror: ${error.message}`));
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.origin === stack.server.url)
      requests.push(`${request.method()} ${url.pathname}${url.search}`);
  });
  await page.goto(`${appServer.origin}/`);
  await page.waitForFunction(() => "app" in globalThis);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await appServer?.close();
  await stack?.close();
});

beforeEach((context) => {
  if (!missing) return;
  if (BROWSER_TESTS_REQUIRED) {
    throw new Error(`Browser tests need Chromium (BROWSER_TESTS_REQUIRED=1): ${missing}`);
  }
  context.skip(`Browser tests skipped: ${missing}.`);
});

afterEach(() => {
  const seen = printed;
  printed = [];
  requests = [];
  stack?.reset();
  // Apollo Client's development build warns of fields missing from what it writes, cache data
  // it would lose, and the like; an invariant error would be a pageerror or a rejection.
  expect(seen).toEqual([]);
});

describe("the README's Apollo Client set-up, in Chromium", () => {
  it("is Apollo Client's development build, whose warnings these tests see", async () => {
    await inApp(async (app, { uri, token }) => {
      const client = app.createClient(uri, token);
      client.writeQuery({
        query: app.gql`query { record(module: Contacts, id: "1") { module id label } }`,
        data: { record: { __typename: "BiginRecord", module: "Contacts", id: "1" } },
      });
    });
    await expect.poll(() => printed.join("\n")).toMatch(/Missing field .* label /);
    printed = [];
  });

  it("runs the README's first query into a complete result", async () => {
    const result = await inApp(async (app, { uri, token }) => {
      const client = app.createClient(uri, token);
      const r = await app.settled(
        client.watchQuery({ query: app.documents.ExploreAttachmentsDocument }),
      );
      return {
        dataState: r.dataState,
        error: r.error ? String(r.error) : null,
        names: r.data?.record?.attachments?.nodes?.map((n) => n.fileName),
      };
    });
    expect(result).toEqual({
      dataState: "complete",
      error: null,
      names: stack.sandbox.store
        .listAttachments("Contacts", IDS.rich)
        .slice(0, 20)
        .map((a) => a.fileName),
    });
  });

  it("keeps the other records' data when one id is malformed", async () => {
    const result = await inApp(
      async (app, { uri, token }, ids) => {
        const client = app.createClient(uri, token);
        const { data, error } = await client.query({
          query: app.gql`query ($good: ID!, $bad: ID!) {
          good: record(module: Contacts, id: $good) { module id attachments(first: 2) { pageInfo { count } } }
          bad: record(module: Contacts, id: $bad) { module id }
        }`,
          variables: ids,
          errorPolicy: "all",
        });
        return { data, problems: app.problems(error) };
      },
      { good: IDS.rich, bad: "12345678901234567890" },
    );
    expect(result.data).toEqual({
      good: {
        __typename: "BiginRecord",
        module: "Contacts",
        id: IDS.rich,
        attachments: { __typename: "BiginAttachmentConnection", pageInfo: expect.anything() },
      },
      bad: null,
    });
    expect(result.problems).toEqual([
      expect.objectContaining({ path: "bad", code: "BAD_USER_INPUT", retryable: false }),
    ]);
  });

  it("pages through 450 attachments with fetchMore, changing `first` as it goes", async () => {
    const result = await inApp(async (app, { uri, token }, id) => {
      const client = app.createClient(uri, token);
      const list = app.watchAttachmentList(client, { module: "Contacts", id }, 20);
      const states: string[] = [];
      list.query.subscribe((r) => {
        if (!r.loading) states.push(r.dataState);
      });
      await app.settled(list.query);
      const sizes = [7, 200, 1, 55, 133, 200];
      for (let i = 0; await list.loadMore(sizes[i % sizes.length]); i += 1);
      // The watched query is told of the last page a moment after fetchMore resolves.
      const all = await new Promise<ReturnType<typeof list.query.getCurrentResult>>((resolve) => {
        const check = () => {
          const current = list.query.getCurrentResult();
          const edges = current.data?.record?.attachments?.edges ?? [];
          if (!current.data?.record?.attachments?.pageInfo?.hasNextPage && edges.length > 20) {
            resolve(current);
          } else setTimeout(check, 10);
        };
        check();
      });
      const edges = all.data?.record?.attachments?.edges ?? [];
      return { states: [...new Set(states)], ids: edges.map((e) => e?.node?.id) };
    }, IDS.many);
    expect(result.states).toEqual(["complete"]);
    expect(result.ids).toEqual(
      stack.sandbox.store.listAttachments("Contacts", IDS.many).map((a) => a.id),
    );
  });

  it("neither skips nor repeats an attachment when others are deleted or added before the cursor", async () => {
    const record = stack.sandbox.store.addRecord("Contacts", { name: "Moving list" });
    const ids = Array.from(
      { length: 30 },
      (_, i) =>
        stack.sandbox.store.addAttachment("Contacts", record.id, {
          type: "Link URL",
          title: `f${i + 1}`,
          linkUrl: "https://example.com/",
        }).id,
    );
    const first = await inApp(async (app, { uri, token }, id) => {
      const client = app.createClient(uri, token);
      const list = app.watchAttachmentList(client, { module: "Contacts", id }, 10);
      Object.assign(globalThis, { movingList: list });
      const r = await app.settled(list.query);
      return r.data?.record?.attachments?.edges?.map((e) => e?.node?.fileName);
    }, record.id);
    expect(first).toEqual(Array.from({ length: 10 }, (_, i) => `f${i + 1}`));
    // Another client deletes f3 and f5 and Bigin's order puts two new ones first.
    stack.sandbox.store.deleteAttachment("Contacts", record.id, ids[2]!);
    stack.sandbox.store.deleteAttachment("Contacts", record.id, ids[4]!);
    for (const title of ["new 1", "new 2"]) {
      stack.sandbox.store.addAttachment(
        "Contacts",
        record.id,
        { type: "Link URL", title, linkUrl: "https://example.com/" },
        0,
      );
    }
    const more = await inApp(async () => {
      const { movingList } = globalThis as unknown as {
        movingList: ReturnType<App["watchAttachmentList"]>;
      };
      await movingList.loadMore();
      const r = await new Promise<ReturnType<typeof movingList.query.getCurrentResult>>(
        (resolve) => {
          const check = () => {
            const current = movingList.query.getCurrentResult();
            if ((current.data?.record?.attachments?.edges?.length ?? 0) > 10) resolve(current);
            else setTimeout(check, 10);
          };
          check();
        },
      );
      return {
        dataState: r.dataState,
        names: r.data?.record?.attachments?.edges?.map((e) => e?.node?.fileName),
      };
    });
    expect(more).toEqual({
      dataState: "complete",
      names: Array.from({ length: 20 }, (_, i) => `f${i + 1}`),
    });
  });

  it("reads a failed list back as null, not an empty one", async () => {
    stack.sandbox.faults.error(500, "INTERNAL_ERROR");
    const result = await inApp(async (app, { uri, token }, id) => {
      const client = app.createClient(uri, token);
      const read = await app.readAttachments(client, "Contacts", id);
      const watched = await app.settled(
        client.watchQuery({
          query: app.documents.RecordAttachmentsDocument,
          variables: { module: "Contacts", id },
          errorPolicy: "all",
          fetchPolicy: "cache-only",
        }),
      );
      return {
        attachments: read.attachments,
        codes: read.problems.map((p) => `${p.path} ${p.code}`),
        cached: watched.data?.record?.attachments,
        dataState: watched.dataState,
      };
    }, IDS.rich);
    expect(result).toEqual({
      attachments: null,
      codes: ["record.attachments UPSTREAM_ERROR"],
      cached: null,
      dataState: "complete",
    });
  });

  it("drops a deleted photo's link from the cache: photoUrl is null", async () => {
    const result = await inApp(async (app, { uri, token }, id) => {
      const client = app.createClient(uri, token);
      const variables = { module: "Contacts" as const, id };
      const photo = client.watchQuery({ query: app.documents.RecordPhotoDocument, variables });
      const before = (await app.settled(photo)).data?.record?.photoUrl;
      await client.mutate({
        mutation: app.documents.DeletePhotoDocument,
        variables: { module: "Contacts", recordId: id },
      });
      const after = photo.getCurrentResult();
      return { before, after: after.data?.record?.photoUrl, dataState: after.dataState };
    }, DEMO_IDS.contactLiam);
    expect(result.before).toMatch(/\/files\/Contacts\/\d+\/photo\?/);
    expect(result).toMatchObject({ after: null, dataState: "complete" });
  });

  it("uploads a file whose name has quotes, and the watched list shows it without a refetch", async () => {
    const result = await inApp(async (app, { uri, token }, id) => {
      const client = app.createClient(uri, token);
      const list = app.watchAttachmentList(client, { module: "Contacts", id });
      await app.settled(list.query);
      const file = new File(["hello"], 'Quote "x".txt', { type: "text/plain" });
      const { data } = await client.mutate({
        mutation: app.documents.UploadAttachmentDocument,
        variables: { module: "Contacts", recordId: id, file },
      });
      const shown = list.query.getCurrentResult().data?.record?.attachments?.edges;
      return {
        fileName: data?.uploadAttachment.attachment.fileName,
        shown: shown?.map((e) => e?.node?.fileName),
      };
    }, IDS.empty);
    expect(result).toEqual({ fileName: 'Quote "x".txt', shown: ['Quote "x".txt'] });
    const stored = stack.sandbox.store.listAttachments("Contacts", IDS.empty);
    expect(stored.map((a) => a.fileName)).toEqual(['Quote "x".txt']);
  });

  it("sends queries as GET requests with the query-only client", async () => {
    const result = await inApp(async (app, { uri, token }, id) => {
      const client = app.createQueryOnlyClient(uri, token);
      const r = await client.query({
        query: app.documents.AttachmentNamesDocument,
        variables: { module: "Contacts", id },
      });
      return r.data?.record?.attachments?.nodes.length;
    }, IDS.rich);
    expect(result).toBe(stack.sandbox.store.listAttachments("Contacts", IDS.rich).length);
    expect(requests).toEqual([expect.stringMatching(/^GET \/graphql\?.*query=/)]);
  });
});
