import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeRuntime } from '../scripts/node-runtimes.mjs';
import { BASELINE_2026, listServerScenarios, runConformance2026Scenario, runConformanceScenario } from './support/conformance.js';
import { TEST_KEY } from './support/in-process.js';
import { type SpawnedHttpServer, spawnHttpServer } from './support/spawned-server.js';

// Every server scenario each release of the suite lists is either run here or named below with the reason it
// does not apply to this server: tools only (no resources, prompts, completions or logging capability), asking
// the user only before a live payment, stateless over HTTP (no Mcp-Session-Id). A test checks that the two
// lists cover exactly what `conformance list` prints, so a new scenario in a new release is not missed.
//
// Only over HTTP: `conformance server` takes a --url and nothing else (no command to spawn, no stdio), in 0.1.16
// as in 0.2.0-alpha.12; stdio is covered by test/stdio.e2e.test.ts and the clients' end-to-end tests.

/** @modelcontextprotocol/conformance 0.1.16, 2025 era (2025-06-18 and 2025-11-25). Each passes every check. */
const SCENARIOS_2025 = ['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection'];

const FIXTURE_TOOL = 'calls a fixture tool only the suite\'s reference server has, its only check (-32602 "Unknown tool" here)';
const NOT_APPLICABLE_2025: Record<string, string> = {
  'logging-set-level': 'no logging capability: -32601 is the right answer to logging/setLevel',
  'completion-complete': 'completions are for prompt and resource-template arguments: no prompts, no resources',
  'tools-call-simple-text': `${FIXTURE_TOOL}: test_simple_text`,
  'tools-call-image': `${FIXTURE_TOOL}: test_image_content`,
  'tools-call-audio': `${FIXTURE_TOOL}: test_audio_content`,
  'tools-call-embedded-resource': `${FIXTURE_TOOL}: test_embedded_resource`,
  'tools-call-mixed-content': `${FIXTURE_TOOL}: test_multiple_content_types`,
  'tools-call-with-logging': 'sets a log level first (no logging capability: -32601), then calls the fixture tool test_tool_with_logging',
  'tools-call-error': `${FIXTURE_TOOL}: test_error_handling`,
  'tools-call-with-progress': `${FIXTURE_TOOL}: test_tool_with_progress`,
  'tools-call-sampling': `no sampling; ${FIXTURE_TOOL}: test_sampling`,
  'tools-call-elicitation': `${FIXTURE_TOOL}: test_elicitation (this server asks only before a live payment, over stdio in this era)`,
  'json-schema-2020-12': `${FIXTURE_TOOL}: json_schema_2020_12_tool`,
  'elicitation-sep1034-defaults': `${FIXTURE_TOOL}: test_elicitation_sep1034_defaults`,
  'elicitation-sep1330-enums': `${FIXTURE_TOOL}: test_elicitation_sep1330_enums`,
  'server-sse-polling': 'needs an Mcp-Session-Id: hosted mode is stateless, so the scenario runs no check (0/0, one warning)',
  'server-sse-multiple-streams': 'needs an Mcp-Session-Id: hosted mode is stateless, so the scenario runs no check (0/0, one warning)',
  'resources-list': 'no resources',
  'resources-read-text': 'no resources',
  'resources-read-binary': 'no resources',
  'resources-templates-read': 'no resources',
  'resources-subscribe': 'no resources',
  'resources-unsubscribe': 'no resources',
  'prompts-list': 'no prompts',
  'prompts-get-simple': 'no prompts',
  'prompts-get-with-args': 'no prompts',
  'prompts-get-embedded-resource': 'no prompts',
  'prompts-get-with-image': 'no prompts',
};

/**
 * @modelcontextprotocol/conformance 0.2.0-alpha.12 at 2026-07-28. Checks that call the suite's fixture tools fail
 * here by design: each is listed, with its reason, in test/conformance-2026-baseline.yml; every other check of
 * these scenarios (among them `wire-schema-valid`, the schema of every message the server sent) must pass.
 */
const SCENARIOS_2026 = [
  'server-stateless',
  'tools-list',
  'tools-call-simple-text',
  'tools-call-image',
  'tools-call-audio',
  'tools-call-embedded-resource',
  'tools-call-mixed-content',
  'tools-call-error',
  'tools-call-with-progress',
  'json-schema-2020-12',
  'server-sse-multiple-streams',
  'dns-rebinding-protection',
  'caching',
  'http-header-validation',
  'http-custom-header-server-validation',
  'input-required-result-basic-elicitation',
  'input-required-result-request-state',
  'input-required-result-multiple-input-requests',
  'input-required-result-multi-round',
  'input-required-result-missing-input-response',
  'input-required-result-result-type',
  'input-required-result-unsupported-methods',
  'input-required-result-tampered-state',
  'input-required-result-capability-check',
  'input-required-result-ignore-extra-params',
  'input-required-result-validate-input',
];

const NOT_APPLICABLE_2026: Record<string, string> = {
  'completion-complete': 'completions are for prompt and resource-template arguments: no prompts, no resources',
  'resources-list': 'no resources',
  'resources-read-text': 'no resources',
  'resources-read-binary': 'no resources',
  'resources-templates-read': 'no resources',
  'sep-2164-resource-not-found': 'no resources (resources/read is -32601, which the scenario only warns about)',
  'prompts-list': 'no prompts',
  'prompts-get-simple': 'no prompts',
  'prompts-get-with-args': 'no prompts',
  'prompts-get-embedded-resource': 'no prompts',
  'prompts-get-with-image': 'no prompts',
  'input-required-result-basic-sampling': 'no sampling: the server never asks the client for a sampling/createMessage',
  'input-required-result-basic-list-roots': 'no roots: the server never asks the client for roots/list',
  'input-required-result-non-tool-request': 'input_required on prompts/get: no prompts',
};

/** The baseline's entries (`scenario:check-id`), by scenario. */
function baselineChecks(): Map<string, string[]> {
  const byScenario = new Map<string, string[]>();
  for (const [, scenario, check] of readFileSync(BASELINE_2026, 'utf8').matchAll(/^\s+- ([\w-]+):([\w-]+)/gm)) {
    byScenario.set(scenario as string, [...(byScenario.get(scenario as string) ?? []), check as string]);
  }
  return byScenario;
}

// The official conformance suite sends no credentials, so the built server runs in hosted mode with
// DODO_PAYMENTS_MCP_AUTH=none, which it accepts only on loopback. Scenarios run one after another: some checks of
// the 2026 suite read a response stream for a fixed window (under a second), so they are not run alongside others.
describe('hosted mode (dist/index.js) against @modelcontextprotocol/conformance', () => {
  let server: SpawnedHttpServer;
  beforeAll(async () => {
    // Fetched from the npm registry on the first run (a ~30 MB download), cached after.
    nodeRuntime('22');
    server = await spawnHttpServer({ DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_MCP_AUTH: 'none' });
  }, 300_000);
  afterAll(async () => {
    server.process.kill('SIGTERM');
    await server.exit();
  });

  it('runs or names every server scenario each release lists, and baselines only scenarios it runs', async () => {
    expect([...SCENARIOS_2025, ...Object.keys(NOT_APPLICABLE_2025)].sort()).toEqual((await listServerScenarios('2025')).sort());
    expect([...SCENARIOS_2026, ...Object.keys(NOT_APPLICABLE_2026)].sort()).toEqual((await listServerScenarios('2026')).sort());
    for (const scenario of baselineChecks().keys()) expect(SCENARIOS_2026).toContain(scenario);
  });

  it.each(SCENARIOS_2025)(
    '2025 era: passes %s',
    async (scenario) => {
      const { code, output } = await runConformanceScenario(server.url, scenario);
      expect(output).toMatch(/Passed: [1-9]\d*\/\d+, 0 failed, 0 warnings/);
      expect(code, output).toBe(0);
    },
    300_000,
  );

  it.each(SCENARIOS_2026)(
    '2026-07-28: passes %s, but for its baselined checks',
    async (scenario) => {
      const { code, output } = await runConformance2026Scenario(server.url, scenario);
      // Exit 0: no failure or warning outside the baseline, and no baselined check that now passes.
      expect(code, output).toBe(0);
      expect(output).toMatch(/Passed: [1-9]\d*\/\d+/);
      const expected = baselineChecks().get(scenario) ?? [];
      if (expected.length === 0) expect(output).toMatch(/Passed: (\d+)\/\1, 0 failed, 0 warnings/);
      // Each baselined check ran and failed: none is excused only because the scenario never reached it.
      for (const check of expected) expect(output, output).toContain(`~ ${scenario}:${check}`);
    },
    300_000,
  );
});

it('puts no Node on the PATH of npm scripts (a `node` dev dependency would), so tests run on the Node under test', () => {
  const link = new URL('../node_modules/.bin/node', import.meta.url);
  expect(existsSync(link), 'node_modules/.bin/node exists: a dependency ships a Node binary').toBe(false);
});
