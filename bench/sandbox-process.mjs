// The Bigin sandbox as its own process for the benchmark, with room for one large attachment.
// Prints one JSON line with its URL, then runs until SIGTERM.
import { startSandbox } from "../dist/sandbox/index.js";

const sandbox = await startSandbox({ port: 0, maxAttachmentBytes: 2 * 1024 ** 3 });
process.stdout.write(`${JSON.stringify({ url: sandbox.url })}\n`);
const stop = () => void sandbox.close().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
