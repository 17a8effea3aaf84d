// Preloaded (`node --import`) by bench/allocation.mjs into a server: SIGUSR2 starts V8's sampling heap
// profiler, counting every allocation (also those collected since); the next SIGUSR2 stops it
// and writes the bytes allocated in between to $ALLOCATION_OUT.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

const session = new Session();
session.connect();
const post = (method, params) =>
  new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );
const total = (node) => node.children.reduce((sum, child) => sum + total(child), node.selfSize);

let sampling = false;
process.on("SIGUSR2", async () => {
  if (!sampling) {
    sampling = true;
    await post("HeapProfiler.enable");
    await post("HeapProfiler.startSampling", {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    writeFileSync(process.env.ALLOCATION_OUT, "");
    return;
  }
  sampling = false;
  const { profile } = await post("HeapProfiler.stopSampling");
  writeFileSync(process.env.ALLOCATION_OUT, String(total(profile.head)));
});
