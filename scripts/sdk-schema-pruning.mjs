// The MCP SDK v2 builds every public zod schema when its module loads (182, OAuth's included) and then
// registers them all for its `specTypeSchemas` and `isSpecType` helpers, so esbuild can drop none of them, although
// the server reads 52. Evaluating the rest was ~37 ms of every cold start on Node 20 (the compile cache does
// not skip evaluation). Two edits, made while bundling, let esbuild drop the schemas nothing reads:
// - every top-level initialiser of the SDK's schema modules that builds something becomes a pure call, so an unread
//   schema is unused code rather than a side effect;
// - the server's eager registration for `specTypeSchemas` and `isSpecType` is removed. This server does not use
//   those two helpers (a test keeps it so); in this bundle they are empty.
// A schema the server reads keeps every call it had. If the SDK renames these modules or rewrites the
// registration, the build fails and says so (scripts/build.mjs), rather than quietly growing again. The esbuild
// plugin that makes these edits is scripts/sdk-bundle-edits.mjs.
import { parseSync } from 'oxc-parser';
import { spliced } from './source-splice.mjs';

const SPEC_TYPE_REGISTRATION = [
  'for (const key of SPEC_SCHEMA_KEYS) register(key, schemas_exports[key]);',
  'for (const [key, schema] of Object.entries(authSchemas)) register(key, schema);',
];

/** Whether `node` calls anything (or uses `new`) when evaluated: functions in it are not, their calls run later if ever. */
function buildsSomething(node) {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(buildsSomething);
  if (node.type === 'ArrowFunctionExpression' || node.type === 'FunctionExpression') return false;
  if (node.type === 'CallExpression' || node.type === 'NewExpression') return true;
  return Object.values(node).some(buildsSomething);
}

/**
 * `code` with each top-level variable initialiser that calls anything made a pure call of its own arrow function:
 * esbuild drops one nothing reads, however it is built. Marking its calls pure was not enough where an initialiser
 * also reads a property (`{ ...OpenIdProviderMetadataSchema.shape }`), which esbuild must assume may run a getter:
 * that kept OAuth's discovery schemas, and what they are built from, in the stdio bundle (~7 ms of every start).
 */
export function withPureInitialisers(code, filename) {
  const { program, errors } = parseSync(filename, code);
  if (errors.length > 0) throw new Error(`sdk-schema-pruning: cannot parse ${filename}: ${errors[0].message}`);
  const initialisers = [];
  for (const statement of program.body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
    if (declaration?.type !== 'VariableDeclaration') continue;
    for (const { init } of declaration.declarations) if (buildsSomething(init)) initialisers.push(init);
  }
  return spliced(
    code,
    initialisers.map(({ start, end }) => [start, end, `/* @__PURE__ */ (() => (${code.slice(start, end)}))()`]),
  );
}

/** `code` without the SDK's eager `specTypeSchemas` registration; throws when the SDK no longer has it. */
export function withoutSpecTypeRegistration(code, filename) {
  if (!code.includes('SPEC_SCHEMA_KEYS')) return code;
  let pruned = code;
  for (const statement of SPEC_TYPE_REGISTRATION) {
    if (!pruned.includes(statement)) {
      throw new Error(
        `sdk-schema-pruning: ${filename} no longer contains \`${statement}\`: the SDK changed how it registers specTypeSchemas (update scripts/sdk-schema-pruning.mjs)`,
      );
    }
    pruned = pruned.replace(statement, '');
  }
  return pruned;
}
