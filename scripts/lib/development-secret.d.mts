export function developmentSecret(dataDir: string, log: (message: string) => void): string;
export function secretProblem(secret: string | undefined): string | null;
