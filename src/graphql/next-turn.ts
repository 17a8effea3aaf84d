/** Callers waiting for a turn of the event loop of their own, by rank, then first come. */
const waiting: Array<{ rank: number; resolve: () => void }> = [];

function letNextIn(): void {
  waiting.shift()?.resolve();
  // Scheduled from an immediate, the next one runs only after the loop has polled for I/O again.
  if (waiting.length > 0) setImmediate(letNextIn);
}

/**
 * Resolves in a turn of the event loop of the caller's own, after I/O has been served: spreads
 * work that is ready all at once (every list of an operation whose Bigin pages arrived in one
 * batch) over as many turns, so that other requests (a health probe, a small query) are answered
 * in between instead of after all of it. Lower ranks go first (an operation's rank is when it
 * started), so operations still finish one after the other and free their memory in turn.
 */
export function nextTurn(rank: number): Promise<void> {
  return new Promise((resolve) => {
    let at = waiting.length;
    while (at > 0 && waiting[at - 1]!.rank > rank) at -= 1;
    waiting.splice(at, 0, { rank, resolve });
    if (waiting.length === 1) setImmediate(letNextIn);
  });
}
