export const BUILD_DONE_FILE: string;
export function webBuildIsStale(dir?: string): boolean;
export function buildWeb(env?: NodeJS.ProcessEnv): void;
