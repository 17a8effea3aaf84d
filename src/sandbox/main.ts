/** `npm run sandbox`: the Bigin sandbox alone, on SANDBOX_PORT (default 4010) and SANDBOX_HOST. */
import { describeSandbox, readSandboxEnv } from "./cli.js";
import { type Sandbox, startSandbox } from "./server.js";

function fail(message: string): never {
  process.stderr.write(`bigin sandbox: ${message}\n`);
  process.exit(1);
}

let listen: { port: number; host: string };
try {
  listen = readSandboxEnv(process.env);
} catch (error) {
  fail((error as Error).message);
}

let sandbox: Sandbox;
try {
  sandbox = await startSandbox(listen);
} catch (error) {
  fail(`cannot listen on ${listen.host}:${listen.port}: ${(error as Error).message}`);
}
process.stdout.write(describeSandbox(sandbox));

function stop(signal: NodeJS.Signals): void {
  process.stdout.write(`\n${signal}: stopping the Bigin sandbox\n`);
  sandbox.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
