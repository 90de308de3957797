export function withGuardPrechecks(code: string, filename: string): string;
