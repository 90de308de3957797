// How the build's edits of the MCP SDK (scripts/sdk-bundle-edits.mjs) rewrite its code: by replacing ranges found by
// parsing it, the rest copied as it is.

/**
 * `code[from, to)` with each `[start, end, text]` of `edits` (ranges within it, in any order) replaced by its text. A
 * range that starts inside one already replaced is skipped: a shorthand property's key and value may be one node.
 */
export function spliced(code, edits, from = 0, to = code.length) {
  let text = '';
  let copied = from;
  for (const [start, end, replacement] of [...edits].sort((a, b) => a[0] - b[0])) {
    if (start < copied) continue;
    text += code.slice(copied, start) + replacement;
    copied = end;
  }
  return text + code.slice(copied, to);
}
