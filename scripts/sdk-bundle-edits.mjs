// The edits the build makes to the MCP SDK while bundling it: its unused schemas made droppable
// (scripts/sdk-schema-pruning.mjs) and its JSON-RPC guards made to fail fast (scripts/sdk-message-guards.mjs). Each
// edit throws when the SDK no longer reads as expected, and the plugin reports, once a build is done, an edit it never
// got to make: either way the build fails (scripts/build.mjs) rather than quietly losing the edit.
import { readFileSync } from 'node:fs';
import { withLazyEraSchemas } from './sdk-lazy-era-schemas.mjs';
import { withGuardPrechecks } from './sdk-message-guards.mjs';
import { withoutSpecTypeRegistration, withPureInitialisers } from './sdk-schema-pruning.mjs';

/** The SDK's modules of top-level schema definitions: the protocol's and OAuth's. */
const SDK_SCHEMA_MODULES = /\/@modelcontextprotocol\/core\/dist\/(schemas|auth)-[\w-]+\.mjs$/;
const SDK_SERVER_MODULE = /\/@modelcontextprotocol\/server\/dist\/src-[\w-]+\.mjs$/;

/** The esbuild plugin making the edits, and what it found missing once a build is done. */
export function sdkBundleEdits() {
  const edited = { schemaModules: 0, registrations: 0, guards: 0, eraSchemas: 0 };
  const plugin = {
    name: 'sdk-bundle-edits',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: SDK_SCHEMA_MODULES }, ({ path }) => {
        edited.schemaModules++;
        return { contents: withPureInitialisers(readFileSync(path, 'utf8'), path), loader: 'js' };
      });
      pluginBuild.onLoad({ filter: SDK_SERVER_MODULE }, ({ path }) => {
        const code = readFileSync(path, 'utf8');
        const pruned = withoutSpecTypeRegistration(code, path);
        if (pruned !== code) edited.registrations++;
        const guarded = withGuardPrechecks(pruned, path);
        if (guarded !== pruned) edited.guards++;
        const lazy = withLazyEraSchemas(guarded, path);
        if (lazy !== guarded) edited.eraSchemas++;
        return { contents: lazy, loader: 'js' };
      });
    },
  };
  const missing = [
    [
      'schemaModules',
      'no SDK schema module was bundled under its expected name: @modelcontextprotocol/core renamed them (update scripts/sdk-bundle-edits.mjs)',
    ],
    [
      'registrations',
      "the SDK's specTypeSchemas registration was not found: @modelcontextprotocol/server moved it (update scripts/sdk-schema-pruning.mjs)",
    ],
    ['guards', "the SDK's JSON-RPC guards were not found: @modelcontextprotocol/server moved them (update scripts/sdk-message-guards.mjs)"],
    [
      'eraSchemas',
      "the SDK's era schema builders were not found: @modelcontextprotocol/server moved them (update scripts/sdk-lazy-era-schemas.mjs)",
    ],
  ];
  const problems = () => missing.filter(([edit]) => edited[edit] === 0).map(([, problem]) => problem);
  return { plugin, problems };
}
