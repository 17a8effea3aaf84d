import type { Reporter, TestModule } from "vitest/node";

/**
 * Ends every run with one plain line, `N passed, N failed`, so a run that executed no test (or
 * a test file that failed to load) is visible to anything reading the log. The reasons tests
 * gave for skipping themselves (`context.skip(note)`, e.g. no Chromium) come first, one a line.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>) {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    const notes = new Set<string>();
    for (const testModule of testModules) {
      let tests = 0;
      for (const test of testModule.children.allTests()) {
        tests += 1;
        const result = test.result();
        if (result.state === "passed") passed += 1;
        else if (result.state === "failed") failed += 1;
        else {
          skipped += 1;
          if (result.state === "skipped" && result.note) notes.add(result.note);
        }
      }
      // A file that could not be collected has no tests but still failed.
      if (tests === 0 && testModule.state() === "failed") failed += 1;
    }
    const line = `${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : "");
    process.stdout.write(`\n${[...notes, line].join("\n")}\n`);
  }
}
