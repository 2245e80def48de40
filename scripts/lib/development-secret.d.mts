export function developmentSecret(dataDir: string, log: (message: string) => void): string;
