// What users install: the Claude Desktop bundle, the npm tarball, and the command line.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_VARIABLES } from '../src/config/environment-variables.js';
import { TEST_KEY, TOOL_NAMES } from './support/in-process.js';
import { run } from './support/run.js';
import { SERVER_ENTRY, serverEnvironment } from './support/spawned-server.js';

const MCPB_CLI = 'node_modules/@anthropic-ai/mcpb/dist/cli/cli.js';
const manifest = JSON.parse(readFileSync('manifest.json', 'utf8'));
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const workDir = mkdtempSync(join(tmpdir(), 'dodo-distribution-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function filesUnder(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(root, path) : [relative(root, path)];
  });
}

async function listToolsOf(command: string, args: string[], env: Record<string, string>): Promise<string[]> {
  const client = new Client({ name: 'distribution-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command, args, env: serverEnvironment(env), stderr: 'pipe' }));
  try {
    return (await client.listTools()).tools.map((tool) => tool.name);
  } finally {
    await client.close();
  }
}

describe('Claude Desktop bundle', () => {
  const bundleDir = join(workDir, 'bundle');

  beforeAll(async () => {
    const packedFile = join(workDir, 'dodo-payments-mcp.mcpb');
    const packed = await run(process.execPath, ['scripts/pack-mcpb.mjs', packedFile]);
    expect(packed.code, packed.stderr).toBe(0);
    const unpacked = await run(process.execPath, [MCPB_CLI, 'unpack', packedFile, bundleDir]);
    expect(unpacked.code, unpacked.stderr).toBe(0);
  }, 120_000);

  it('holds only what runs', () => {
    expect(filesUnder(bundleDir).sort()).toEqual(['dist/index.js', 'dist/main.cjs', 'manifest.json']);
  });

  it('starts as Claude Desktop starts it, with unfilled optional fields as literal placeholders, and lists the tool', async () => {
    // Claude Desktop runs mcp_config.command with its args and env, substituting what the user filled in.
    const fill: Record<string, string> = { '${__dirname}': bundleDir, '${user_config.api_key}': TEST_KEY };
    const substitute = (value: string) =>
      Object.entries(fill).reduce((text, [placeholder, filled]) => text.replaceAll(placeholder, filled), value);
    const { command, args, env } = manifest.server.mcp_config as { command: string; args: string[]; env: Record<string, string> };
    expect(command).toBe('node');
    const environment = Object.fromEntries(Object.entries(env).map(([name, value]) => [name, substitute(value)]));
    expect(environment.DODO_PAYMENTS_ENVIRONMENT).toBe('${user_config.environment}');
    expect(await listToolsOf(process.execPath, args.map(substitute), environment)).toEqual(TOOL_NAMES);
  });
});

describe('npm package', () => {
  it('publishes only dist/, manifest.json, README.md and LICENSE (plus package.json)', async () => {
    const dryRun = await run('npm', ['pack', '--dry-run', '--json']);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    const [packed] = JSON.parse(dryRun.stdout) as { files: { path: string }[] }[];
    expect(packed?.files.map((file) => file.path).sort()).toEqual([
      'LICENSE',
      'README.md',
      'dist/hosted.cjs',
      'dist/index.js',
      'dist/main.cjs',
      'manifest.json',
      'package.json',
    ]);
  });

  it('installs offline into an empty folder, with no dependencies, and its bin answers tools/list', async () => {
    const packDir = join(workDir, 'pack');
    const installDir = join(workDir, 'install');
    for (const dir of [packDir, installDir]) await run('mkdir', ['-p', dir]);
    const packed = await run('npm', ['pack', '--json', '--pack-destination', packDir]);
    expect(packed.code, packed.stderr).toBe(0);
    const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
    writeFileSync(join(installDir, 'package.json'), '{"name":"empty","version":"1.0.0","private":true}');
    const installed = await run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(packDir, filename)], { cwd: installDir });
    expect(installed.code, installed.stderr).toBe(0);
    expect(readdirSync(join(installDir, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual(['dodo-payments-mcp']);
    const bin = join(installDir, 'node_modules/.bin/dodo-payments-mcp');
    expect(await listToolsOf(bin, [], { DODO_PAYMENTS_API_KEY: TEST_KEY })).toEqual(TOOL_NAMES);
  }, 120_000);
});

describe('command line', () => {
  const cli = (...args: string[]) => run(process.execPath, [SERVER_ENTRY, ...args], { env: serverEnvironment({}) });

  it('--help prints usage with every variable to stdout and exits 0', async () => {
    const { code, stdout } = await cli('--help');
    expect(code).toBe(0);
    for (const text of ['Usage:', 'test_mode or live_mode (default: test_mode)', 'claude mcp add']) expect(stdout).toContain(text);
    for (const { name } of Object.values(ENVIRONMENT_VARIABLES)) expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('--version prints the package version', async () => {
    expect(await cli('--version')).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it.each([
    '--api-key=sk_live_123',
    '--token',
    '--API_KEY',
    'DODO_PAYMENTS_API_KEY=sk_live_123',
    '--dodo-api-key=sk_live_123',
    '--bearer-token=sk_live_123',
  ])('refuses %s, explaining to use the environment, without echoing the value', async (flag) => {
    const { code, stdout, stderr } = await cli(flag);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('visible to every process on this machine');
    expect(stderr).toContain('DODO_PAYMENTS_API_KEY');
    expect(stderr).not.toContain('sk_live_123');
  });

  it('exits 2 with usage on stderr for any other argument', async () => {
    const { code, stdout, stderr } = await cli('--port', '8080');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('unknown argument --port;');
    expect(stderr).toContain('Usage:');
  });

  it.each([
    ['--region=sk_live_123', 'unknown argument --region;'],
    ['sk_live_123', 'unknown an argument (its value is not shown'],
  ])('never echoes the value of an unrecognised argument %s', async (argument, message) => {
    const { code, stderr } = await cli(argument);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).not.toContain('sk_live_123');
  });
});
