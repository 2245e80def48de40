import { webConfig } from "./lib/config";

try {
  webConfig();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
