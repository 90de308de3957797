export declare const NODE_RUNTIME_VERSIONS: Readonly<Record<'22' | '24', string>>;
export declare function nodeRuntime(major: '22' | '24'): string;
