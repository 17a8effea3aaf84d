import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";

const ANSWERS: Record<string, { status: number; code: string; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: "REQUEST_TIMEOUT",
    message: "The request's headers arrived too slowly",
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: "HEADERS_TOO_LARGE",
    message: "The request's headers are too large",
  },
};

/**
 * Fastify's `clientErrorHandler`: answers a request Node could not parse (or whose headers
 * never finished) and closes the connection. Unlike Fastify's own it never logs the error
 * itself, whose `rawPacket` holds the request's bytes (Authorization header, signed links).
 */
export function answerClientError(
  this: FastifyInstance,
  error: NodeJS.ErrnoException,
  socket: Socket,
): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const answer = ANSWERS[error.code ?? ""] ?? {
    status: 400,
    code: "BAD_REQUEST",
    message: "Malformed HTTP request",
  };
  this.log.debug({ clientError: { code: error.code, status: answer.status } }, answer.message);
  if (socket.writable) {
    const body = JSON.stringify({ code: answer.code, message: answer.message });
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\nConnection: close\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  // Once the answer is written: a plain destroy() could drop it.
  socket.destroySoon();
}
