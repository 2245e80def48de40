export function isBuildStale(builtFile: string, inputs: string[]): boolean;
