// Mastra's MCP client for test/mastra.e2e.test.ts, fetched from the npm registry only when that test runs, then kept
// under node_modules/.cache. They are not devDependencies: only that test uses them, and they put about 138 MB into
// every `npm ci`. Install scripts do not run.
import { join } from 'node:path';
import { installOnDemand } from './npm-on-demand.mjs';

/**
 * The exact versions installed. `zod` is @mastra/core's peer dependency, pinned so a new zod release does not change
 * what the test runs (npm would otherwise install the newest one the peer range allows).
 */
export const MASTRA_PACKAGES = { '@mastra/mcp': '2.0.0', '@mastra/core': '1.71.0', zod: '4.6.7' };

/**
 * The path of an ES module that re-exports `@mastra/mcp` as installed in the cache (so the client script resolves
 * it, with the `import` condition, from there), installed on first use.
 */
export function mastraMcpModule() {
  const directory = installOnDemand({
    cache: 'dodo-mcp-mastra',
    // Named by every pin, so changing one installs afresh.
    name: Object.entries(MASTRA_PACKAGES)
      .map(([pkg, version]) => `${pkg.replace('@mastra/', '')}-${version}`)
      .join('-'),
    dependencies: MASTRA_PACKAGES,
    files: { 'mastra-mcp.mjs': "export * from '@mastra/mcp';\n" },
    what: "Mastra's MCP client",
  });
  return join(directory, 'mastra-mcp.mjs');
}
