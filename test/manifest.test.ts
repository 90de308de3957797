import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_VARIABLES } from '../src/config/environment-variables.js';
import { connectInProcess, testConfig } from './support/in-process.js';

const run = promisify(execFile);
const readJson = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const manifest = readJson('../manifest.json');
const packageJson = readJson('../package.json');

describe('Claude Desktop bundle manifest', () => {
  it('passes mcpb validate', async () => {
    const { stdout } = await run(process.execPath, ['node_modules/@anthropic-ai/mcpb/dist/cli/cli.js', 'validate', 'manifest.json']);
    expect(stdout).toContain('Manifest schema validation passes');
  });

  it('uses manifest_version 0.2 and the package version, which is semver', () => {
    expect(manifest.manifest_version).toBe('0.2');
    expect(manifest.version).toBe(packageJson.version);
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  });

  it('runs the bundled file with node', () => {
    expect(manifest.server).toMatchObject({
      type: 'node',
      entry_point: 'dist/index.js',
      mcp_config: { command: 'node', args: ['${__dirname}/dist/index.js'] },
    });
    expect(packageJson.bin['dodo-payments-mcp']).toBe(manifest.server.entry_point);
  });

  it('keeps the API key sensitive and defaults the environment to test_mode', () => {
    expect(manifest.user_config.api_key).toMatchObject({ type: 'string', sensitive: true, required: true });
    expect(manifest.user_config.environment).toMatchObject({ type: 'string', default: 'test_mode' });
    expect(manifest.server.mcp_config.env).toMatchObject({
      DODO_PAYMENTS_API_KEY: '${user_config.api_key}',
      DODO_PAYMENTS_ENVIRONMENT: '${user_config.environment}',
    });
  });

  it('lists the tools the server advertises', async () => {
    const server = await connectInProcess(testConfig());
    const { tools } = await server.client.listTools();
    await server.close();
    expect(manifest.tools.map((tool: { name: string }) => tool.name)).toEqual(tools.map((tool) => tool.name));
  });

  it('passes exactly the variables the environment table marks for the bundle', () => {
    const forBundle = Object.values(ENVIRONMENT_VARIABLES)
      .filter((variable) => variable.inBundle)
      .map((variable) => variable.name);
    expect(Object.keys(manifest.server.mcp_config.env).sort()).toEqual(forBundle.sort());
  });
});

describe('README', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

  it('documents every environment variable in its configuration table', () => {
    for (const { name } of Object.values(ENVIRONMENT_VARIABLES)) expect(readme).toContain(`| \`${name}\` |`);
  });
});
