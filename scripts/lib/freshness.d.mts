export function isBuildStale(builtFile: string, inputs: string[]): boolean;
export function sharedBuildInputs(): string[];
