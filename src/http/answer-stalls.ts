import type { ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { Logger } from "../logger.js";
import { pathOf } from "../redact.js";

/**
 * Answers larger than this go out in pieces of this size: a client taking a piece counts as
 * progress, so a slow but steady reader of a large answer is never taken for a stalled one.
 */
const ANSWER_PIECE_BYTES = 64 * 1024;

/** Closes the connection of an answer once the client has taken none of it for a while. */
export type StallGuard = (res: ServerResponse) => void;

/**
 * A client that stops reading would otherwise hold its answer (megabytes for a large one) and
 * its connection in the server for as long as it likes. Once an answer has begun, each write
 * the client takes restarts the clock; after `idleTimeoutMs` without one, the connection is
 * closed. Node's keep-alive timeout takes over once the answer is out.
 */
export function answerStallGuard(idleTimeoutMs: number, logger: Logger): StallGuard {
  // One listener for every response, not a closure each.
  function onStall(this: ServerResponse) {
    logger.info(
      { path: pathOf(this.req.url ?? ""), idleTimeoutMs },
      "closed a connection whose client stopped reading its answer",
    );
    this.destroy();
  }
  return (res) => void res.setTimeout(idleTimeoutMs, onStall);
}

function* pieces(bytes: Buffer): Generator<Buffer> {
  for (let start = 0; start < bytes.length; start += ANSWER_PIECE_BYTES) {
    yield bytes.subarray(start, start + ANSWER_PIECE_BYTES);
  }
}

/**
 * Guards every answer Fastify sends (hijacked ones call the guard themselves) and writes large
 * ones in pieces, with their Content-Length.
 */
export function boundAnswerStalls(app: FastifyInstance, guard: StallGuard): void {
  // A callback hook, not an async one: it runs for every request.
  app.addHook("onSend", (request, reply, payload, done) => {
    guard(reply.raw);
    if (
      request.method === "HEAD" ||
      !(typeof payload === "string" || Buffer.isBuffer(payload)) ||
      payload.length <= ANSWER_PIECE_BYTES
    ) {
      return done(null, payload);
    }
    const bytes = typeof payload === "string" ? Buffer.from(payload) : payload;
    reply.header("content-length", bytes.length);
    done(null, Readable.from(pieces(bytes), { objectMode: false }));
  });
}
