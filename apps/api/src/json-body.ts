/** The request bodies the Task API reads: JSON in UTF-8, and nothing else. */
import type { FastifyInstance } from "fastify";
import { HttpProblem } from "./problem";

/** Refuses bytes that are not UTF-8 (`fatal`) instead of reading them as U+FFFD. */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Makes `app` parse JSON bodies strictly as UTF-8, uncoded, and no text/plain ones. */
export function acceptUtf8JsonOnly(app: FastifyInstance): void {
  // Only JSON bodies are accepted; Fastify's text/plain parser would let a
  // text body reach validation as a string (422) instead of being a 415.
  app.removeContentTypeParser("text/plain");
  // JSON is UTF-8 (RFC 8259): Fastify's parser decoded any bytes as UTF-8 whatever the charset said, and
  // bytes that are not UTF-8 as U+FFFD, so a Latin-1 "Café" was stored as "Caf\uFFFD" with a 201.
  // Now another charset is a 415, and bytes that are not UTF-8 a 400, with nothing stored.
  const parseJsonText = app.getDefaultJsonParser("remove", "remove");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    // A coded body (gzip…) is not read: its bytes were taken for the JSON itself, a 400 about
    // UTF-8 that said nothing of the cause. RFC 9110 15.5.16: a 415, saying what is read.
    // (Split only when sent: every create and edit comes through here.)
    const codings = request.headers["content-encoding"]?.split(",").map((coding) => coding.trim().toLowerCase());
    if (codings?.some((coding) => coding !== "" && coding !== "identity")) {
      const detail = "Send the body without a Content-Encoding: the API reads plain JSON, not gzip or another coding.";
      return done(new HttpProblem(415, detail, { headers: { "accept-encoding": "identity" } }), undefined);
    }
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(request.headers["content-type"] ?? "")?.[1];
    if (charset !== undefined && charset.toLowerCase() !== "utf-8" && charset.toLowerCase() !== "utf8") {
      return done(new HttpProblem(415, "Send the body as JSON in UTF-8 (charset=utf-8, or no charset)."), undefined);
    }
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      return done(new HttpProblem(400, "The request body is not valid UTF-8."), undefined);
    }
    parseJsonText(request, text, done);
  });
}
