// The MCP SDK v2 builds each protocol era's whole wire-schema set (143 zod schemas for 2025, 137 and three method maps
// for 2026-07-28) the first time it validates a message of that era, and its method lookups read every one of them:
// ~13 ms of the first request, a tenth of a stdio cold start, for the five or six schemas a session uses. This edit,
// made while bundling, builds each schema the first time it is read:
// - in each era's builder, each `const X = …` becomes a memo (`X$lazy()`), every read of `X` a call of it (in the
//   builder's helper functions too), and the object it returns has a getter per schema, built once, so every reader
//   still gets the same schema object; a method map the builder only returns (`dispatchRequestSchemas = { … }`) gets a
//   getter per method;
// - in the lookups, each `method: s.X` entry becomes a getter, so looking a method up builds only what it needs.
// Each builder is found through its era's memo (`buildSchemas2025`, `buildSchemas2026`). If the SDK renames one or
// writes a builder or a lookup otherwise than this expects, the edit throws and the build fails
// (scripts/sdk-bundle-edits.mjs).
import { parseSync } from 'oxc-parser';
import { spliced } from './source-splice.mjs';

/** Each era: the memo that builds its schemas, and the functions that look them up as `method: s.Schema`. */
const ERAS = [
  { memo: 'buildSchemas2025', lookups: ['registryMaps'] },
  { memo: 'buildSchemas2026', lookups: ['getWireResultSchemas'] },
];

const fail = (filename, problem) => {
  throw new Error(`sdk-lazy-era-schemas: ${filename}: ${problem} (update scripts/sdk-lazy-era-schemas.mjs)`);
};

/** Every node under `node` with its parent, depth first. */
function* walk(node, parent) {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const child of node) yield* walk(child, parent);
    return;
  }
  if (typeof node.type === 'string') yield [node, parent];
  for (const [key, value] of Object.entries(node)) if (key !== 'parent' && typeof value === 'object') yield* walk(value, node);
}

const isFunction = (node) => ['ArrowFunctionExpression', 'FunctionExpression', 'FunctionDeclaration'].includes(node.type);

function topLevelFunction(program, name) {
  return program.body
    .map((statement) => (statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement))
    .find((statement) => statement?.type === 'FunctionDeclaration' && statement.id?.name === name);
}

/** The name of the function an era's memo builds with: its body is `return memo ??= builder();`. */
function eraBuilderName(program, memoName, filename) {
  const memo = topLevelFunction(program, memoName) ?? fail(filename, `no function ${memoName}`);
  const [statement] = memo.body.body;
  const call = statement?.type === 'ReturnStatement' && statement.argument?.operator === '??=' ? statement.argument.right : undefined;
  if (memo.body.body.length !== 1 || call?.type !== 'CallExpression' || call.callee.type !== 'Identifier' || call.arguments.length > 0) {
    fail(filename, `${memoName} is no longer \`return memo ??= builder();\``);
  }
  return call.callee.name;
}

/** The reads of `names` under `node` (not property names, nor declarations of the same names, which are refused). */
function* readsOf(node, names, filename) {
  for (const [child, parent] of walk(node)) {
    if (isFunction(child)) {
      for (const [declared] of walk(child.params)) {
        if (declared.type === 'Identifier' && names.has(declared.name)) fail(filename, `a parameter shadows ${declared.name}`);
      }
    }
    if (child.type === 'VariableDeclarator' && child.id.type === 'Identifier' && names.has(child.id.name)) {
      fail(filename, `a declaration shadows ${child.id.name}`);
    }
    if (child.type !== 'Identifier' || !names.has(child.name)) continue;
    const isPropertyName =
      (parent?.type === 'MemberExpression' && parent.property === child && !parent.computed) ||
      (parent?.type === 'Property' && parent.key === child && !parent.computed && !parent.shorthand);
    if (!isPropertyName) yield [child, parent];
  }
}

/** `code[node.start, node.end)` with each read of a schema in `names` made a call of its memo. */
function withReadsAsCalls(code, node, names, filename) {
  const edits = [];
  for (const [read, parent] of readsOf(node, names, filename)) {
    if (parent?.type === 'Property' && parent.shorthand) edits.push([parent.start, parent.end, `${read.name}: ${read.name}$lazy()`]);
    else edits.push([read.start, read.end, `${read.name}$lazy()`]);
  }
  return spliced(code, edits, node.start, node.end);
}

const isPlainEntry = (property) => property.type === 'Property' && property.kind === 'init' && !property.computed && !property.method;

/** An object of getters for `properties`, each built once (through its schema's memo when it is one). */
function lazyObject(code, properties, names, filename) {
  const memos = [];
  const getters = properties.map((property, index) => {
    const key = code.slice(property.key.start, property.key.end);
    if (property.value.type === 'Identifier' && names.has(property.value.name))
      return `get ${key}() { return ${property.value.name}$lazy(); }`;
    memos.push(`entry${index}$built`);
    return `get ${key}() { return entry${index}$built ??= (${withReadsAsCalls(code, property.value, names, filename)}); }`;
  });
  return `(() => {\n${memos.length > 0 ? `let ${memos.join(', ')};\n` : ''}return {\n${getters.join(',\n')}\n};\n})()`;
}

/** An era builder's body, rewritten: a memo per schema, a getter per method of a map it only returns, and a returned object of getters. */
function lazyBuilderBody(code, builder, filename) {
  const statements = builder.body.body;
  const returned = statements.at(-1);
  if (
    returned?.type !== 'ReturnStatement' ||
    returned.argument?.type !== 'ObjectExpression' ||
    !returned.argument.properties.every(isPlainEntry)
  ) {
    fail(filename, `${builder.id.name} no longer ends by returning an object of \`Name: schema\` entries`);
  }
  const helpers = statements.filter((statement) => statement.type === 'FunctionDeclaration');
  const declarations = statements.slice(0, -1).flatMap((statement) => {
    if (statement.type === 'FunctionDeclaration') return [];
    const [declarator] = statement.declarations ?? [];
    if (
      statement.type !== 'VariableDeclaration' ||
      statement.declarations.length !== 1 ||
      declarator.id.type !== 'Identifier' ||
      !declarator.init
    ) {
      fail(filename, `${builder.id.name} has a statement other than \`const X = …;\` or a function before its return`);
    }
    return [declarator];
  });
  const names = new Set(declarations.map(({ id }) => id.name));
  for (const name of names) if (code.includes(`${name}$lazy`)) fail(filename, `the name ${name}$lazy is taken`);
  // A method map: an object of plain entries that nothing in the builder reads, only its return.
  const readInBuilder = new Set();
  for (const node of [...declarations.map(({ init }) => init), ...helpers])
    for (const [read] of readsOf(node, names, filename)) readInBuilder.add(read.name);
  const isMethodMap = ({ id, init }) =>
    init.type === 'ObjectExpression' && init.properties.every(isPlainEntry) && !readInBuilder.has(id.name);
  const memos = declarations.map((declarator) => {
    const { id, init } = declarator;
    const built = isMethodMap(declarator)
      ? lazyObject(code, init.properties, names, filename)
      : `(${withReadsAsCalls(code, init, names, filename)})`;
    return `let ${id.name}$built; const ${id.name}$lazy = () => ${id.name}$built ??= ${built};`;
  });
  const functions = helpers.map((helper) => withReadsAsCalls(code, helper, names, filename));
  return `{\n${[...functions, ...memos].join('\n')}\nreturn ${lazyObject(code, returned.argument.properties, names, filename)};\n}`;
}

/** A lookup's body with each `method: s.Schema` entry made a getter, so a lookup builds only the schema it reads. */
function lazyLookupBody(code, lookup, filename) {
  const nodes = [...walk(lookup.body)].map(([node]) => node);
  const calls = nodes.filter((node) => node.type === 'CallExpression' || node.type === 'NewExpression');
  const entries = nodes.filter(
    (node) =>
      node.type === 'Property' &&
      node.value.type === 'MemberExpression' &&
      node.value.object.type === 'Identifier' &&
      node.value.object.name === 's' &&
      // An entry of a schema's own shape (`z.object({ params: s.X })`) is read when the schema is built: left as it is.
      !calls.some((call) => call.start < node.start && node.end < call.end),
  );
  if (entries.length === 0) fail(filename, `${lookup.id.name} no longer reads the era's schemas as \`method: s.Schema\``);
  const getters = entries.map((property) => {
    const key = code.slice(property.key.start, property.key.end);
    const getter = `get ${property.computed ? `[${key}]` : key}() { return ${code.slice(property.value.start, property.value.end)}; }`;
    return [property.start, property.end, getter];
  });
  return spliced(code, getters, lookup.body.start, lookup.body.end);
}

/** `code` (the SDK's server module) with each era's wire schemas built one by one, as they are first read. */
export function withLazyEraSchemas(code, filename) {
  if (!ERAS.some(({ memo }) => code.includes(`function ${memo}(`))) return code;
  const { program, errors } = parseSync(filename, code);
  if (errors.length > 0) fail(filename, `cannot parse: ${errors[0].message}`);
  const edits = ERAS.flatMap(({ memo, lookups }) => {
    const builderName = eraBuilderName(program, memo, filename);
    const builder =
      topLevelFunction(program, builderName) ?? fail(filename, `${builderName}, which ${memo} calls, is not a top-level function`);
    const lookupBodies = lookups.map((name) => {
      const lookup = topLevelFunction(program, name) ?? fail(filename, `no function ${name}`);
      return [lookup.body.start, lookup.body.end, lazyLookupBody(code, lookup, filename)];
    });
    return [[builder.body.start, builder.body.end, lazyBuilderBody(code, builder, filename)], ...lookupBodies];
  });
  return spliced(code, edits);
}
