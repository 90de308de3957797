import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { nodeRuntime } from '../../scripts/node-runtimes.mjs';
import { run } from './run.js';

// The conformance CLI needs Node 22+ (it imports fs.globSync), while this project also supports Node 20:
// it runs on the pinned Node 22 (fetched from npm on first use), whatever Node runs the tests.
// Two releases of the suite: 0.1.16 knows the 2025 era (2025-06-18, 2025-11-25); 0.2.0-alpha.12, installed under
// the alias @modelcontextprotocol/conformance-2026, is the newest that knows 2026-07-28.
const packageDirectory = (name: string) => dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
const CLI = {
  '2025': join(packageDirectory('@modelcontextprotocol/conformance'), 'dist', 'index.js'),
  '2026': join(packageDirectory('@modelcontextprotocol/conformance-2026'), 'dist', 'index.js'),
};
type Era = keyof typeof CLI;

/** The reviewed expected failures of the 2026-07-28 runs, one check each with its reason. */
export const BASELINE_2026 = fileURLToPath(new URL('../conformance-2026-baseline.yml', import.meta.url));

// A scenario's own time limit (30 s by default) is raised far above anything a scenario needs, so only a hang
// ends one; vitest's per-test limit stays above it.
const SCENARIO_TIMEOUT_MS = 240_000;

interface ConformanceRun {
  /** 0 when the scenario had no FAILURE (2026: no failure or warning outside the baseline, and no stale entry). */
  code: number;
  /** stdout and stderr, colour codes removed. */
  output: string;
}

async function conformance(era: Era, args: readonly string[]): Promise<ConformanceRun> {
  const { code, stdout, stderr } = await run(nodeRuntime('22'), [CLI[era], ...args], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    timeout: SCENARIO_TIMEOUT_MS + 30_000,
  });
  return { code, output: stripVTControlCharacters(`${stdout}${stderr}`) };
}

/** Runs one server scenario of @modelcontextprotocol/conformance 0.1.16 (2025 era) against an MCP endpoint URL. */
export function runConformanceScenario(url: string, scenario: string): Promise<ConformanceRun> {
  return conformance('2025', ['server', '--url', url, '--scenario', scenario]);
}

/** Runs one server scenario of the 0.2.0 suite at 2026-07-28 against an MCP endpoint URL, with the baseline. */
export function runConformance2026Scenario(url: string, scenario: string): Promise<ConformanceRun> {
  return conformance('2026', [
    'server',
    '--url',
    url,
    '--scenario',
    scenario,
    '--spec-version',
    '2026-07-28',
    '--timeout',
    String(SCENARIO_TIMEOUT_MS),
    '--expected-failures',
    BASELINE_2026,
  ]);
}

/** The server scenarios a release of the suite lists (2026: those that apply at 2026-07-28). */
export async function listServerScenarios(era: Era): Promise<string[]> {
  const { code, output } = await conformance(era, era === '2026' ? ['list', '--server', '--spec-version', '2026-07-28'] : ['list']);
  if (code !== 0) throw new Error(`conformance list failed:\n${output}`);
  const server = output.split('Server scenarios')[1]?.split('Client scenarios')[0] ?? '';
  return [...server.matchAll(/^\s+- (\S+)/gm)].map((match) => match[1] as string);
}
