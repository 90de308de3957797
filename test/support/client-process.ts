import { fileURLToPath } from 'node:url';
import { nodeRuntime } from '../../scripts/node-runtimes.mjs';
import { run } from './run.js';

// Clients that need Node 22+ (AI SDK 7, Mastra) run in their own process on the pinned Node 22 (fetched from npm on
// first use) when the tests run on Node 20, and on the tests' own Node otherwise; the server under test runs on the
// tests' Node either way.
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
/** The Node the clients run on; call it in a `beforeAll` with a long timeout, since the first call may download it. */
export const clientNode = () => (NODE_MAJOR >= 22 ? process.execPath : nodeRuntime('22'));

/** Runs `test/fixtures/<fixture>` with `input` as its one JSON argument and parses the JSON line it prints. */
export async function runClientFixture<Report>(
  fixture: string,
  input: object,
  env: Record<string, string> = {},
): Promise<{ report: Report; stderr: string }> {
  const script = fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url));
  const { code, stdout, stderr } = await run(clientNode(), [script, JSON.stringify(input)], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  if (code !== 0) throw new Error(`${fixture} exited with ${code}:\n${stderr}`);
  return { report: JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Report, stderr };
}
