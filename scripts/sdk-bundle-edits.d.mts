import type { Plugin } from 'esbuild';

export function sdkBundleEdits(): { plugin: Plugin; problems: () => string[] };
