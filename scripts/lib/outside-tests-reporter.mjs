/**
 * A second reporter for `npm test`, beside the spec reporter: a file whose own process ended badly
 * though no test of it failed, with why. (JavaScript: Node loads a reporter before tsx is registered.)
 *
 * The spec reporter's list of failures names such a file with "test failed" and nothing else: the
 * cause (an error thrown by something a test left running, the process killed by a signal) was
 * printed minutes earlier, among thousands of lines. CI once failed so on tests/e2e/dashboard.test.ts,
 * and its log's tail did not say why. scripts/test.ts says these lines again once the run is over.
 *
 * @param {AsyncIterable<import("node:test/reporters").TestEvent>} events every event of the run
 * @returns {AsyncGenerator<string>} what to print, as it happens (with --test-force-exit, what a
 *   reporter would print after the last event can be cut off)
 */
import path from "node:path";

export default async function* outsideTestsReporter(events) {
  /** Errors reported outside any test: "Error: Test "…" at tests/e2e/x.test.ts:12:3 generated asynchronous activity after the test ended …" */
  let errors = [];
  for await (const event of events) {
    if (event.type === "test:diagnostic" && /^Error\b/.test(event.data.message)) errors.push(event.data.message);
    if (event.type === "test:fail" && event.data.nesting === 0) {
      const error = /** @type {{ failureType?: string, exitCode?: number | null, signal?: string | null }} */ (
        event.data.details.error
      );
      // Only a file's process that ended badly though no test of it failed (those are listed as usual).
      if (error.failureType !== "testCodeFailure" || (error.exitCode == null && error.signal == null)) continue;
      const file = event.data.file ?? event.data.name;
      const how = error.signal ? `was killed by ${error.signal}` : `exited with code ${error.exitCode}`;
      // An error names the test, and so the file, that left the failing work running, or none
      // ("A resource generated asynchronous activity after the test ended": a Playwright route's
      // handler, say). Those are said, as such, with the first file that fails after them; two
      // files run at once, so one of them may be the other's.
      const here = ` at ${path.relative(process.cwd(), file)}:`;
      const namesNoTest = (message) => !/ at \S+\.test\.\w+:\d/.test(message);
      const taken = errors.filter((message) => message.includes(here) || namesNoTest(message));
      errors = errors.filter((message) => !taken.includes(message));
      const said = taken.map((message) => (namesNoTest(message) ? `(naming no test) ${message}` : message));
      const why = said.length > 0 ? `: ${said.join(" ").replace(/\s+/g, " ")}` : ", no error said";
      yield `${OUTSIDE_TESTS} ${file}: its process ${how}${why}\n`;
    }
  }
}

/** How the lines of this reporter begin (scripts/test.ts looks for it). */
export const OUTSIDE_TESTS = "✖ outside any test:";
