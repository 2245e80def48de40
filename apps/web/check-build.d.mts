export function webBuildIsStale(): boolean;
export function buildWeb(env?: NodeJS.ProcessEnv): void;
