// The MCP SDK v2 builds the 2025 era's whole wire-schema set (143 zod schemas) the first time it validates a message,
// and its method registry reads every one of them: ~13 ms of the first request, a tenth of a stdio cold start, for the
// five or six schemas a session uses. This edit, made while bundling, builds each schema the first time it is read:
// - in the era's builder, each `const X = …` becomes a memo (`X$lazy()`), every read of `X` a call of it, and the
//   object it returns has a getter per schema, built once, so every reader still gets the same schema object;
// - in the registry, each `method: s.X` becomes a getter, so looking a method up builds only what it needs.
// The builder is found through `buildSchemas2025`'s memo. If the SDK renames it or writes the builder or the registry
// otherwise than this expects, the edit throws and the build fails (scripts/sdk-bundle-edits.mjs).
import { parseSync } from 'oxc-parser';

const ERA_MEMO = 'buildSchemas2025';
const REGISTRY = 'registryMaps';

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

/** The name of the function `buildSchemas2025` memoises: its body is `return memo ??= builder();`. */
function eraBuilderName(program, filename) {
  const memo = topLevelFunction(program, ERA_MEMO) ?? fail(filename, `no function ${ERA_MEMO}`);
  const [statement] = memo.body.body;
  const call = statement?.type === 'ReturnStatement' && statement.argument?.operator === '??=' ? statement.argument.right : undefined;
  if (memo.body.body.length !== 1 || call?.type !== 'CallExpression' || call.callee.type !== 'Identifier' || call.arguments.length > 0) {
    fail(filename, `${ERA_MEMO} is no longer \`return memo ??= builder();\``);
  }
  return call.callee.name;
}

/** `code[start, end)` with each read of a schema in `names` made a call of its memo. */
function withReadsAsCalls(code, node, names, filename) {
  const edits = [];
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
    if (isPropertyName) continue;
    if (parent?.type === 'Property' && parent.shorthand) {
      if (parent.key === child) edits.push([parent.start, parent.end, `${child.name}: ${child.name}$lazy()`]);
      continue;
    }
    edits.push([child.start, child.end, `${child.name}$lazy()`]);
  }
  let text = '';
  let copied = node.start;
  for (const [start, end, replacement] of edits.sort((a, b) => a[0] - b[0])) {
    if (start < copied) continue; // a shorthand property's key and value may be one node
    text += code.slice(copied, start) + replacement;
    copied = end;
  }
  return text + code.slice(copied, node.end);
}

/** The era builder's body, rewritten: a memo per schema, and a returned object of getters. */
function lazyBuilderBody(code, builder, filename) {
  const statements = builder.body.body;
  const returned = statements.at(-1);
  if (returned?.type !== 'ReturnStatement' || returned.argument?.type !== 'ObjectExpression') {
    fail(filename, `${builder.id.name} no longer ends by returning an object`);
  }
  const declarations = statements.slice(0, -1).map((statement) => {
    const [declarator] = statement.declarations ?? [];
    if (
      statement.type !== 'VariableDeclaration' ||
      statement.declarations.length !== 1 ||
      declarator.id.type !== 'Identifier' ||
      !declarator.init
    ) {
      fail(filename, `${builder.id.name} has a statement other than \`const X = …;\` before its return`);
    }
    return declarator;
  });
  const names = new Set(declarations.map(({ id }) => id.name));
  for (const name of names) if (code.includes(`${name}$lazy`)) fail(filename, `the name ${name}$lazy is taken`);
  const memos = declarations.map(
    ({ id, init }) =>
      `let ${id.name}$built; const ${id.name}$lazy = () => ${id.name}$built ??= (${withReadsAsCalls(code, init, names, filename)});`,
  );
  const getters = returned.argument.properties.map((property, index) => {
    if (property.type !== 'Property' || property.kind !== 'init' || property.computed || property.method) {
      fail(filename, `${builder.id.name} returns something other than plain \`Name: schema\` entries`);
    }
    const key = code.slice(property.key.start, property.key.end);
    if (property.value.type === 'Identifier' && names.has(property.value.name))
      return `get ${key}() { return ${property.value.name}$lazy(); }`;
    memos.push(`let returned${index}$built;`);
    return `get ${key}() { return returned${index}$built ??= (${withReadsAsCalls(code, property.value, names, filename)}); }`;
  });
  return `{\n${memos.join('\n')}\nreturn {\n${getters.join(',\n')}\n};\n}`;
}

/** The registry's body with each `key: s.Schema` entry made a getter, so a lookup builds only the schema it reads. */
function lazyRegistryBody(code, registry, filename) {
  const entries = [...walk(registry.body)].filter(
    ([node]) =>
      node.type === 'Property' &&
      node.value.type === 'MemberExpression' &&
      node.value.object.type === 'Identifier' &&
      node.value.object.name === 's',
  );
  if (entries.length === 0) fail(filename, `${REGISTRY} no longer reads the era's schemas as \`s.Schema\``);
  let text = '';
  let copied = registry.body.start;
  for (const [property] of entries) {
    const key = code.slice(property.key.start, property.key.end);
    text += `${code.slice(copied, property.start)}get ${property.computed ? `[${key}]` : key}() { return ${code.slice(property.value.start, property.value.end)}; }`;
    copied = property.end;
  }
  return text + code.slice(copied, registry.body.end);
}

/** `code` (the SDK's server module) with the 2025 era's wire schemas built one by one, as they are first read. */
export function withLazyEraSchemas(code, filename) {
  if (!code.includes(`function ${ERA_MEMO}(`)) return code;
  const { program, errors } = parseSync(filename, code);
  if (errors.length > 0) fail(filename, `cannot parse: ${errors[0].message}`);
  const builder =
    topLevelFunction(program, eraBuilderName(program, filename)) ?? fail(filename, 'the era builder is not a top-level function');
  const registry = topLevelFunction(program, REGISTRY) ?? fail(filename, `no function ${REGISTRY}`);
  const edits = [
    [builder.body, lazyBuilderBody(code, builder, filename)],
    [registry.body, lazyRegistryBody(code, registry, filename)],
  ].sort(([a], [b]) => a.start - b.start);
  let text = '';
  let copied = 0;
  for (const [body, replacement] of edits) {
    text += code.slice(copied, body.start) + replacement;
    copied = body.end;
  }
  return text + code.slice(copied);
}
