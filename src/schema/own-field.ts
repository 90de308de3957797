/**
 * Sets `record[name]` as an own field. An own "__proto__" (JSON.parse makes one) stays a field: assigning it would set
 * the prototype instead, and the field would be gone. Loops with this build no entry arrays: they run on every call.
 */
export function setField(record: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
  else record[name] = value;
}
