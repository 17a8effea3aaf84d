import type { IncomingMessage, Server, ServerResponse } from "node:http";

/** Closes the connection of `res` once it is answered: by saying so, or after the fact. */
function closeWhenAnswered(res: ServerResponse): void {
  if (!res.headersSent) {
    // Node ends the connection after this answer.
    res.setHeader("connection", "close");
    return;
  }
  const socket = res.socket;
  res.once("finish", () => socket?.destroySoon());
}

/**
 * Keep-alive connections for a stop that drains: after `drain()`, every answer (in flight or
 * new) carries `Connection: close` or closes its connection once sent, and idle connections
 * close at once, so that the server closes as soon as its last answer is out instead of
 * waiting for clients' keep-alive connections to time out.
 */
export function drainableConnections(server: Server): { drain(): void } {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  // One function for every response, not a closure each.
  function forget(this: ServerResponse) {
    inFlight.delete(this);
  }
  server.on("request", (_req: IncomingMessage, res: ServerResponse) => {
    if (draining) {
      closeWhenAnswered(res);
      return;
    }
    inFlight.add(res);
    res.on("close", forget);
  });
  return {
    drain() {
      if (draining) return;
      draining = true;
      for (const res of inFlight) closeWhenAnswered(res);
      inFlight.clear();
      server.closeIdleConnections();
    },
  };
}
