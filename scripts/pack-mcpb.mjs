// `npm run pack:mcpb`: the Claude Desktop bundle, holding only what runs: manifest.json, dist/index.js and dist/main.cjs.
// Written to dodo-payments-mcp.mcpb, or to the path given as the only argument (tests pack into a temp folder).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';

const STAGING = 'build/mcpb';
const OUTPUT = process.argv[2] ?? 'dodo-payments-mcp.mcpb';
const mcpb = (...args) =>
  execFileSync(process.execPath, ['node_modules/@anthropic-ai/mcpb/dist/cli/cli.js', ...args], { stdio: 'inherit' });

rmSync(STAGING, { recursive: true, force: true });
mkdirSync(`${STAGING}/dist`, { recursive: true });
cpSync('manifest.json', `${STAGING}/manifest.json`);
for (const file of ['dist/index.js', 'dist/main.cjs']) cpSync(file, `${STAGING}/${file}`);

mcpb('validate', `${STAGING}/manifest.json`);
mcpb('pack', STAGING, OUTPUT);
