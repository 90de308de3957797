export declare const MASTRA_PACKAGES: Readonly<Record<'@mastra/mcp' | '@mastra/core' | 'zod', string>>;
export declare function mastraMcpModule(): string;
