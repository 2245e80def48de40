/**
 * Runs once when the server starts. The Node.js part checks the
 * configuration then, so a missing or weak secret in production stops
 * start-up with a message naming the variable, instead of failing the first
 * request.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") await import("./instrumentation-node");
}
