import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { installFromClone, usage } from '../src/cli/usage.js';
import { CONFIRM_MODES, ENVIRONMENTS } from '../src/config/config-values.js';
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

  // The manifest format has no list of allowed values (a user_config option is free text, number or boolean), so
  // each choice field names every value the server accepts, and the default is one of them.
  it.each([
    ['environment', ENVIRONMENTS],
    ['confirm', CONFIRM_MODES],
  ])('says in the %s field every value the server accepts', (field, values) => {
    const option = manifest.user_config[field];
    for (const value of values) expect(option.description).toContain(value);
    expect(values).toContain(option.default);
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

  it('shows the install-from-a-clone lines and the examples that --help prints', () => {
    const help = usage(packageJson.version);
    for (const line of installFromClone(packageJson.version).split('\n')) expect(readme).toContain(line.trim());
    const examples = help.slice(help.indexOf('Examples:')).split('\n').slice(1, 3);
    for (const line of examples) expect(readme).toContain(line.trim());
  });

  it('says the package is not yet published, and that it is not affiliated with Dodo Payments', () => {
    expect(readme).toContain('**Not yet published on npm.**');
    expect(readme).toContain('**Not affiliated with Dodo Payments.**');
  });

  it('documents every environment variable in its configuration table', () => {
    for (const { name } of Object.values(ENVIRONMENT_VARIABLES)) expect(readme).toContain(`| \`${name}\` |`);
  });
});

describe('MCP Registry server.json', () => {
  const server = readJson('../server.json');
  const [npmPackage] = server.packages;
  const variables = Object.values(ENVIRONMENT_VARIABLES);

  it('uses the 2025-12-11 schema, the package.json mcpName, version and repository', () => {
    expect(server.$schema).toBe('https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json');
    expect(server.name).toBe(packageJson.mcpName);
    expect(server.name).toMatch(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/);
    // The registry allows io.github.<owner>/… only for that GitHub owner.
    expect(`https://github.com/${server.name.replace('io.github.', '')}`).toBe(server.repository.url);
    expect(packageJson.repository.url).toBe(`git+${server.repository.url}.git`);
    expect(server.description.length).toBeLessThanOrEqual(100);
    expect(server.version).toBe(packageJson.version);
  });

  it('describes the npm package and its stdio transport', () => {
    expect(server.packages).toHaveLength(1);
    expect(npmPackage).toMatchObject({
      registryType: 'npm',
      registryBaseUrl: 'https://registry.npmjs.org',
      identifier: packageJson.name,
      version: packageJson.version,
      transport: { type: 'stdio' },
    });
  });

  it('lists every environment variable of the table, the key as a required secret', () => {
    const listed = npmPackage.environmentVariables as { name: string; description: string; isSecret?: boolean; isRequired?: boolean }[];
    expect(listed.map((variable) => variable.name)).toEqual(variables.map((variable) => variable.name));
    for (const [index, variable] of variables.entries()) {
      expect(listed[index]?.description).toBe(variable.summary);
      expect(Boolean(listed[index]?.isSecret)).toBe(Boolean(variable.secret));
    }
    expect(listed[0]).toMatchObject({ name: 'DODO_PAYMENTS_API_KEY', isSecret: true, isRequired: true });
  });

  it('gives only defaults and choices the server accepts', () => {
    for (const listed of npmPackage.environmentVariables as { name: string; default?: string; choices?: string[] }[]) {
      const variable = variables.find((candidate) => candidate.name === listed.name);
      if (listed.default !== undefined) expect(listed.default).toBe(variable?.defaultText);
      for (const value of [listed.default, ...(listed.choices ?? [])].filter((value) => value !== undefined)) {
        expect(() => variable?.parse(value, listed.name)).not.toThrow();
      }
      if (listed.choices) expect(() => variable?.parse('not-a-choice', listed.name)).toThrow();
    }
  });
});
