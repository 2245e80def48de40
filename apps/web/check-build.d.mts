export function webBuildIsStale(): boolean;
