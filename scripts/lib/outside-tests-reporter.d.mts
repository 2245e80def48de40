import type { TestEvent } from "node:test/reporters";

export default function outsideTestsReporter(events: AsyncIterable<TestEvent>): AsyncGenerator<string>;
export const OUTSIDE_TESTS: string;
