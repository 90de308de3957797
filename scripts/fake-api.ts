// `npm run fake-api`: the simulated Dodo API alone, so the Inspector or any MCP client can drive the real server
// with no credentials and no network. Runs until Ctrl-C. FAKE_API_PORT chooses the port (0: any free one).
import { DEFAULT_CATALOGUE, startFakeDodoApi } from './fake-dodo-api.js';

const KEY = 'test_key_demo';
const port = Number(process.env.FAKE_API_PORT ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`FAKE_API_PORT must be a port number from 0 to 65535 (got ${JSON.stringify(process.env.FAKE_API_PORT)})`);
  process.exit(2);
}

const api = await startFakeDodoApi({ apiKey: KEY, port });
const env = `DODO_PAYMENTS_API_KEY=${KEY} DODO_PAYMENTS_BASE_URL=${api.url}`;
const products = Object.entries(DEFAULT_CATALOGUE)
  .filter(([, product]) => !product.recurring && !product.archived)
  .map(([id, { name, price, currency }]) => `  ${id}  ${name}, ${price} ${currency} (smallest unit)`);
console.log(`Simulated Dodo API on ${api.url} (API key ${KEY}). Ctrl-C stops it.

Run the server against it (after npm run build):
  ${env} node dist/index.js

With the MCP Inspector (web UI; add --cli --method tools/list for the command line):
  npx @modelcontextprotocol/inspector -e DODO_PAYMENTS_API_KEY=${KEY} -e DODO_PAYMENTS_BASE_URL=${api.url} node dist/index.js

In a client's configuration: "command": "node", "args": ["<clone>/dist/index.js"], and in "env" the two variables above.

One-time products:
${products.join('\n')}`);

const stop = () => void api.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
