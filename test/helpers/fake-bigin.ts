import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A Bigin-compatible server written apart from the sandbox, from bigin-api.md alone: the product
 * must work against any server that speaks Bigin, not only its own simulator. It serves one
 * access token (or the ones it issues for a refresh token), each record's attachments as given,
 * downloads with the Content-Disposition given, uploads, photos and `POST /oauth/v2/token`.
 */
export interface FakeFile {
  id: string;
  name: string;
  type: string;
  bytes: Buffer;
  /** The raw Content-Disposition header of its download; default a correct one. */
  disposition?: string;
}

export interface FakeBiginOptions {
  /** The access token it accepts; default "fake-access-token-0001". */
  token?: string;
  /** Attachments per record id. */
  records?: Record<string, FakeFile[]>;
  /** Records with a photo: record id → PNG bytes. */
  photos?: Record<string, Buffer>;
  /** Refresh-token mode: the client it knows; each grant issues `token`. */
  oauth?: { clientId: string; clientSecret: string; refreshToken: string };
}

export interface FakeBigin {
  url: string;
  token: string;
  /** Every request: method, path (no query) and Authorization header. */
  requests: Array<{ method: string; path: string; authorization: string | undefined }>;
  /** Milliseconds to wait before answering a Bigin API call (not the token endpoint). */
  delayMs: number;
  close(): Promise<void>;
}

const error = (res: ServerResponse, status: number, code: string, message: string) =>
  json(res, status, { code, details: {}, message, status: "error" });

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json;charset=UTF-8" }).end(text);
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export async function startFakeBigin(options: FakeBiginOptions = {}): Promise<FakeBigin> {
  const token = options.token ?? "fake-access-token-0001";
  const records = options.records ?? {};
  let nextId = 2034020000009000000n;
  const state: FakeBigin = {
    url: "",
    token,
    requests: [],
    delayMs: 0,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    state.requests.push({
      method: req.method ?? "",
      path: url.pathname,
      authorization: req.headers.authorization,
    });
    if (req.method === "POST" && url.pathname === "/oauth/v2/token") {
      const form = new URLSearchParams((await readAll(req)).toString("utf8"));
      const oauth = options.oauth;
      const ok =
        oauth !== undefined &&
        form.get("grant_type") === "refresh_token" &&
        form.get("client_id") === oauth.clientId &&
        form.get("client_secret") === oauth.clientSecret &&
        form.get("refresh_token") === oauth.refreshToken;
      // Zoho answers a refused refresh with HTTP 200 too.
      json(
        res,
        200,
        ok
          ? { access_token: token, api_domain: state.url, token_type: "Bearer", expires_in: 3600 }
          : { error: "invalid_code" },
      );
      return;
    }
    const match = /^\/bigin\/v2\/(\w+)\/(\d+)\/(Attachments|photo)(?:\/(\d+))?$/.exec(url.pathname);
    if (!match)
      return error(
        res,
        404,
        "INVALID_URL_PATTERN",
        "Please check if the URL trying to access is a correct one",
      );
    if (state.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
    if (req.headers.authorization !== `Zoho-oauthtoken ${token}`) {
      await readAll(req);
      return error(res, 401, "INVALID_TOKEN", "invalid oauth token");
    }
    const [, module, recordId = "", kind, attachmentId] = match;
    const files = records[recordId];
    if (kind === "photo") {
      const photo = options.photos?.[recordId];
      if (req.method !== "GET") return error(res, 400, "INVALID_REQUEST_METHOD", "unsupported");
      if (!photo) return void res.writeHead(204).end();
      res.writeHead(200, { "content-type": "image/png", "content-length": photo.length });
      return void res.end(photo);
    }
    if (files === undefined) {
      await readAll(req);
      return json(res, 400, {
        code: "INVALID_DATA",
        details: { resource_path_index: 1 },
        message: "the related id given seems to be invalid",
        status: "error",
      });
    }
    if (req.method === "POST" && attachmentId === undefined) {
      await readAll(req);
      const id = String((nextId += 1n));
      return json(res, 200, {
        data: [
          {
            code: "SUCCESS",
            details: { id },
            message: "attachment uploaded successfully",
            status: "success",
          },
        ],
      });
    }
    if (req.method === "GET" && attachmentId !== undefined) {
      const file = files.find((f) => f.id === attachmentId);
      if (!file) return void res.writeHead(204).end();
      res.setHeader("content-type", file.type);
      res.setHeader("content-length", file.bytes.length);
      // Raw UTF-8 bytes, as servers send names in a quoted `filename` (Node refuses C1
      // control bytes, 0x80 to 0x9f, in header values).
      const disposition =
        file.disposition ?? `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`;
      res.setHeader("content-disposition", Buffer.from(disposition).toString("latin1"));
      return void res.end(file.bytes);
    }
    if (req.method === "GET") {
      if (files.length === 0) return void res.writeHead(204).end();
      const data = files.map((file) => ({
        id: file.id,
        File_Name: file.name,
        Size: String(file.bytes.length),
        $type: "File",
        $file_id: `file-${file.id}`,
        $se_module: module,
        Parent_Id: { id: recordId, name: "Someone" },
      }));
      return json(res, 200, {
        data,
        info: { per_page: 200, count: data.length, page: 1, more_records: false },
      });
    }
    return error(res, 400, "INVALID_REQUEST_METHOD", "unsupported");
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
