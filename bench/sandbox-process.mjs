// The Bigin sandbox as its own process for the benchmarks, with room for one large attachment.
// SANDBOX_MAX_CONCURRENCY: answer 429 above that many calls at once, as a Zoho org does.
// Prints one JSON line with its URL, then runs until SIGTERM.
import { startSandbox } from "../dist/sandbox/index.js";

const maxConcurrency = Number(process.env.SANDBOX_MAX_CONCURRENCY) || undefined;
const sandbox = await startSandbox({
  port: 0,
  maxAttachmentBytes: 2 * 1024 ** 3,
  ...(maxConcurrency && { maxConcurrency }),
});
process.stdout.write(`${JSON.stringify({ url: sandbox.url })}\n`);
const stop = () => void sandbox.close().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
