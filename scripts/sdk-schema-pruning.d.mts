export function withPureInitialisers(code: string, filename: string): string;

export function withoutSpecTypeRegistration(code: string, filename: string): string;
