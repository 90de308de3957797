import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { nodeRuntime } from '../../scripts/node-runtimes.mjs';
import { run } from './run.js';

// The conformance CLI needs Node 22+ (it imports fs.globSync), while this project also supports Node 20:
// it runs on the pinned Node 22 (fetched from npm on first use), whatever Node runs the tests.
const packageDirectory = (name: string) => dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
const CONFORMANCE_CLI = join(packageDirectory('@modelcontextprotocol/conformance'), 'dist', 'index.js');

interface ConformanceRun {
  /** 0 when the scenario had no FAILURE. */
  code: number;
  /** stdout and stderr, colour codes removed. */
  output: string;
}

/** Runs one server scenario of @modelcontextprotocol/conformance against an MCP endpoint URL. */
export async function runConformanceScenario(url: string, scenario: string): Promise<ConformanceRun> {
  const { code, stdout, stderr } = await run(nodeRuntime('22'), [CONFORMANCE_CLI, 'server', '--url', url, '--scenario', scenario], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
  });
  return { code, output: stripVTControlCharacters(`${stdout}${stderr}`) };
}
