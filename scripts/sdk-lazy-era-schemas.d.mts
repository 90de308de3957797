export function withLazyEraSchemas(code: string, filename: string): string;
