import { randomBytes } from "node:crypto";
import { print } from "graphql";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.js";
import {
  AttachmentDownloadsDocument,
  DeleteAttachmentDocument,
  type DeleteAttachmentMutation,
  RecordPhotoDocument,
  UploadAttachmentDocument,
  type UploadAttachmentMutation,
} from "../generated/graphql.js";
import {
  chromiumMissing,
  launchChromium,
  servePage,
  skipOrFailWithoutChromium,
  type PageServer,
} from "../helpers/browser.js";
import { IDS } from "../helpers/ids.js";
import { biginCalls, REFRESH_ENV } from "../helpers/refresh-stack.js";
import { DEMO_TOKEN, startStack, startTestServer, type Stack } from "../helpers/stack.js";

/** What test/browser/frontend.html's script offers (window.frontend). */
interface Failed {
  failed: string;
}
interface Answer {
  status: number;
  requestId: string | null;
  cacheControl: string | null;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
}
interface Download {
  status: number;
  contentType: string | null;
  contentLength: string | null;
  contentDisposition: string | null;
  bytes: number[];
}
interface Operation {
  query: string;
  variables?: Record<string, unknown>;
  headers?: Record<string, string>;
  method?: "GET" | "POST";
}
interface Frontend {
  graphql(url: string, operation: Operation): Promise<Answer | Failed>;
  upload(
    url: string,
    operation: Operation & { file: { name: string; type: string; bytes: number[] } },
  ): Promise<Answer | Failed>;
  download(url: string): Promise<Download | Failed>;
  showImage(src: string): Promise<{ loaded: boolean; naturalWidth: number }>;
}

const missing = await chromiumMissing();
const auth = { authorization: `Zoho-oauthtoken ${DEMO_TOKEN}` };
const attachments = print(AttachmentDownloadsDocument);
const rich = { module: "Contacts", id: IDS.rich };

let browser: Browser | undefined;
let pageServer: PageServer | undefined;
let page: Page;
let stack: Stack;

/** Calls window.frontend[name](...args) in the page: script of the page's own origin. */
function inPage<K extends keyof Frontend>(
  name: K,
  ...args: Parameters<Frontend[K]>
): Promise<Awaited<ReturnType<Frontend[K]>>> {
  return page.evaluate(
    ([fn, fnArgs]) =>
      (globalThis as unknown as { frontend: Record<string, (...a: unknown[]) => unknown> })
        .frontend[fn]!(...fnArgs),
    [name, args] as const,
  ) as Promise<Awaited<ReturnType<Frontend[K]>>>;
}

function ok<T extends object>(result: T | Failed): T {
  if ("failed" in result) throw new Error(`the browser refused the request: ${result.failed}`);
  return result;
}

beforeAll(async () => {
  if (missing) return;
  pageServer = await servePage(new URL("./frontend.html", import.meta.url));
  stack = await startStack();
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${pageServer.origin}/`);
});

afterAll(async () => {
  await browser?.close();
  await pageServer?.close();
  await stack?.close();
});

beforeEach((context) => skipOrFailWithoutChromium(missing, context));

describe("a web app on another origin, in Chromium", () => {
  it("is served from an origin other than the API's", () => {
    expect(new URL(page.url()).origin).toBe(pageServer!.origin);
    expect(new URL(stack.server.url).origin).not.toBe(pageServer!.origin);
  });

  it("runs a query and reads x-request-id; the answer is not for shared caches", async () => {
    const url = `${stack.server.url}/graphql`;
    const answer = ok(
      await inPage("graphql", url, { query: attachments, variables: rich, headers: auth }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data).toMatchObject({
      record: {
        attachments: {
          nodes: expect.arrayContaining([expect.objectContaining({ id: expect.any(String) })]),
        },
      },
    });
    expect(answer.requestId).toMatch(/^[\da-f]{8}-[\da-f]{4}-/);
    expect(answer.cacheControl).toBe("private, no-store");
    const echoed = ok(
      await inPage("graphql", url, {
        query: "{ __typename }",
        headers: { ...auth, "x-request-id": "page-42" },
      }),
    );
    expect(echoed.requestId).toBe("page-42");
  });

  it("gets UNAUTHENTICATED in extensions.code without a token", async () => {
    const answer = ok(
      await inPage("graphql", `${stack.server.url}/graphql`, {
        query: attachments,
        variables: rich,
      }),
    );
    expect(answer.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("runs a GET query as Apollo Client's useGETForQueries sends it", async () => {
    const answer = ok(
      await inPage("graphql", `${stack.server.url}/graphql`, {
        method: "GET",
        query: attachments,
        variables: rich,
        headers: auth,
      }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.cacheControl).toBe("private, no-store");
  });

  it("uploads through the multipart spec, fetches the bytes back by downloadUrl, deletes the file", async () => {
    const url = `${stack.server.url}/graphql`;
    const target = { module: "Contacts", recordId: IDS.empty };
    const bytes = [...randomBytes(5000)];
    const file = { name: "Résumé 2026.bin", type: "application/octet-stream", bytes };

    const refused = ok(
      await inPage("upload", url, {
        query: print(UploadAttachmentDocument),
        variables: target,
        file,
        headers: auth,
      }),
    );
    // CSRF prevention: multipart is a form a page could post anywhere without the header.
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/Cross-Site Request Forgery/);

    const uploaded = ok(
      await inPage("upload", url, {
        query: print(UploadAttachmentDocument),
        variables: target,
        file,
        headers: { ...auth, "apollo-require-preflight": "true" },
      }),
    );
    expect(uploaded.body.errors).toBeUndefined();
    const { attachment, record } = (uploaded.body.data as UploadAttachmentMutation)
      .uploadAttachment;
    expect(attachment).toMatchObject({ fileName: file.name, size: bytes.length });
    expect(record.attachments?.edges.map((edge) => edge.node.id)).toContain(attachment.id);

    const download = ok(await inPage("download", attachment.downloadUrl!));
    expect(download.status).toBe(200);
    expect(download.bytes).toEqual(bytes);
    expect(download.contentLength).toBe(String(bytes.length));
    expect(download.contentDisposition).toContain(
      `filename*=UTF-8''${encodeURIComponent(file.name)}`,
    );

    const deleted = ok(
      await inPage("graphql", url, {
        query: print(DeleteAttachmentDocument),
        variables: { ...target, id: attachment.id },
        headers: auth,
      }),
    );
    expect(deleted.body.errors).toBeUndefined();
    const { deletedId, record: after } = (deleted.body.data as DeleteAttachmentMutation)
      .deleteAttachment;
    expect(deletedId).toBe(attachment.id);
    expect(after.attachments?.edges.map((edge) => edge.node.id)).not.toContain(attachment.id);
    const gone = ok(await inPage("download", attachment.downloadUrl!));
    expect(gone.status).toBe(404);
  });

  it("shows a photoUrl in an <img>", async () => {
    const answer = ok(
      await inPage("graphql", `${stack.server.url}/graphql`, {
        query: print(RecordPhotoDocument),
        variables: rich,
        headers: auth,
      }),
    );
    const photoUrl = (answer.body.data?.record as { photoUrl: string }).photoUrl;
    expect(photoUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/Contacts\/\d+\/photo\?/);
    expect(await inPage("showImage", photoUrl)).toEqual({ loaded: true, naturalWidth: 1 });
  });
});

describe("a server holding a Bigin credential (refresh-token mode), seen from that web app", () => {
  let closed: RunningServer | undefined;
  let listed: RunningServer | undefined;
  beforeAll(async () => {
    if (missing) return;
    closed = await startTestServer(stack.sandbox.url, REFRESH_ENV);
    listed = await startTestServer(stack.sandbox.url, {
      ...REFRESH_ENV,
      CORS_ORIGINS: pageServer!.origin,
    });
  });
  afterAll(async () => {
    await closed?.close();
    await listed?.close();
  });

  it("is not readable from the page without CORS_ORIGINS: the request never gets past the preflight", async () => {
    stack.reset();
    const before = biginCalls(stack).length;
    const result = await inPage("graphql", `${closed!.url}/graphql`, {
      query: attachments,
      variables: rich,
    });
    expect(result).toEqual({ failed: expect.stringMatching(/Failed to fetch/) });
    expect(biginCalls(stack)).toHaveLength(before);
    // The server itself is up: a caller that is not a browser gets the answer.
    const direct = await fetch(`${closed!.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: attachments, variables: rich }),
    });
    expect(((await direct.json()) as Answer["body"]).errors).toBeUndefined();
  });

  it("is readable from the page once CORS_ORIGINS lists its origin, downloads included", async () => {
    const answer = ok(
      await inPage("graphql", `${listed!.url}/graphql`, { query: attachments, variables: rich }),
    );
    expect(answer.body.errors).toBeUndefined();
    const nodes = (
      answer.body.data?.record as {
        attachments: { nodes: Array<{ size: number; downloadUrl: string | null }> };
      }
    ).attachments.nodes;
    // The smallest file: its bytes cross from the page to the test as a list of numbers.
    const file = nodes
      .filter((node) => node.downloadUrl !== null)
      .sort((a, b) => a.size - b.size)[0]!;
    const download = ok(await inPage("download", file.downloadUrl!));
    expect(download.status).toBe(200);
    expect(download.bytes).toHaveLength(file.size);
  });

  it("cannot show a record's photo through a bare path in an <img>: only a signed link opens it", async () => {
    stack.reset();
    const photo = `/files/Contacts/${IDS.rich}/photo`;
    expect(await inPage("showImage", `${closed!.url}${photo}`)).toMatchObject({ loaded: false });
    expect(biginCalls(stack)).toHaveLength(0);
  });
});
