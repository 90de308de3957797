/**
 * JSON.parse, plus the line each value (or object member) starts on, so an operator's policy file can be
 * refused by line. A few lines of our own: JSON.parse gives no positions (and on Node 20 some of its syntax errors
 * give none either). Duplicate member names are refused rather than silently resolved to the last one.
 */
import { setField } from '../../schema/own-field.js';

export interface LocatedJson {
  value: unknown;
  /** The line of the deepest member of `path` that exists (1 for the root). */
  lineOf(path: readonly PropertyKey[]): number;
}

export class JsonSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

const WHITESPACE = /[ \t\n\r]*/y;
// Any quoted text; JSON.parse then refuses what JSON does not allow inside (control characters, bad escapes).
const STRING = /"(?:[^"\\]|\\.)*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;

export function parseLocatedJson(text: string): LocatedJson {
  const lines = new Map<string, number>();
  let at = 0;
  const lineAt = (index: number) => text.slice(0, index).split('\n').length;
  const fail = (message: string): never => {
    throw new JsonSyntaxError(lineAt(at), at >= text.length ? `unexpected end of file: ${message}` : message);
  };
  const match = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = at;
    const found = pattern.exec(text)?.[0];
    if (found !== undefined) at += found.length;
    return found;
  };
  const skip = () => match(WHITESPACE);
  const decode = (token: string): unknown => {
    try {
      return JSON.parse(token);
    } catch {
      return fail(`${token.slice(0, 40)} is not a valid JSON string`);
    }
  };
  const closing = <T>(value: T): T => {
    at += 1;
    return value;
  };
  // A member's line is where its name is; the value's own mark then finds it taken.
  const mark = (path: readonly PropertyKey[], index = at) => {
    const key = JSON.stringify(path);
    if (!lines.has(key)) lines.set(key, lineAt(index));
  };

  const parseValue = (path: PropertyKey[]): unknown => {
    skip();
    mark(path);
    const opening = text[at];
    if (opening === '{') return parseObject(path);
    if (opening === '[') return parseArray(path);
    const token = match(STRING) ?? match(NUMBER) ?? match(LITERAL);
    if (token === undefined) return fail('expected a JSON value (a string, number, object, array, true, false or null)');
    return decode(token);
  };
  const parseObject = (path: PropertyKey[]): Record<string, unknown> => {
    at += 1;
    const object: Record<string, unknown> = {};
    skip();
    if (text[at] === '}') return closing(object);
    for (;;) {
      skip();
      const nameAt = at;
      const name = decode(match(STRING) ?? fail('expected a double-quoted property name')) as string;
      if (Object.hasOwn(object, name)) fail(`${JSON.stringify(name)} appears twice in the same object`);
      mark([...path, name], nameAt);
      skip();
      if (text[at] !== ':') fail(`expected ':' after ${JSON.stringify(name)}`);
      at += 1;
      // A "__proto__" member stays a member (and is refused by the schema as unknown).
      setField(object, name, parseValue([...path, name]));
      skip();
      if (text[at] === ',') at += 1;
      else if (text[at] === '}') return closing(object);
      else fail(`expected ',' or '}' after the value of ${JSON.stringify(name)}`);
    }
  };
  const parseArray = (path: PropertyKey[]): unknown[] => {
    at += 1;
    const array: unknown[] = [];
    skip();
    if (text[at] === ']') return closing(array);
    for (;;) {
      array.push(parseValue([...path, array.length]));
      skip();
      if (text[at] === ',') at += 1;
      else if (text[at] === ']') return closing(array);
      else fail("expected ',' or ']' in an array");
    }
  };

  const value = parseValue([]);
  skip();
  if (at < text.length) fail('unexpected text after the end of the JSON value');
  return {
    value,
    lineOf: (path) => {
      for (let length = path.length; length >= 0; length--) {
        const line = lines.get(JSON.stringify(path.slice(0, length)));
        if (line !== undefined) return line;
      }
      return 1;
    },
  };
}
