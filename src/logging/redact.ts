import { MIN_API_KEY_LENGTH } from '../config/environment-variables.js';

const REDACTED = '[REDACTED]';

// Query parameters whose values are credentials when a proxy URL carries them.
const SECRET_PARAMETER = /key|token|secret|passw|auth|signature|sig|credential|session/i;
// `scheme://userinfo@`: the userinfo (user:password) of a URL written in text.
const URL_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i;

/**
 * Every form in which a secret of this configuration could come back in an API answer or an error, to be
 * removed from whatever leaves the process (tool results, log lines):
 * - the API key and the state secret (DODO_PAYMENTS_MCP_STATE_SECRET) as they are, URL-encoded, JSON-escaped,
 *   hex, and base64 / base64url at each of the three byte alignments (so a secret is found inside any encoded
 *   text that contains it, `Bearer <key>` and `user:<key>` included);
 * - the base URL's userinfo (`//user:password@`) and its secret-looking query parameters (`token=…`).
 * A key shorter than MIN_API_KEY_LENGTH is refused at start; it is skipped here so that a short value
 * never cuts holes in ordinary words.
 */
export function secretForms({
  apiKey,
  stateSecret,
  baseUrl,
}: {
  apiKey?: string | undefined;
  stateSecret?: string | undefined;
  baseUrl?: string | undefined;
}): string[] {
  const forms = new Set<string>();
  for (const secret of [apiKey, stateSecret]) {
    if (secret === undefined || secret.length < MIN_API_KEY_LENGTH) continue;
    for (const form of [secret, encodeURIComponent(secret), hex(secret), hex(secret).toUpperCase(), ...base64Cores(secret)]) {
      forms.add(form);
    }
  }
  if (baseUrl !== undefined) for (const form of urlSecrets(baseUrl)) forms.add(form);
  // Text that was JSON-encoded once (a result's text block) or twice (a log line quoting it) holds escaped forms.
  for (const form of [...forms]) {
    const once = jsonEscaped(form);
    forms.add(once);
    forms.add(jsonEscaped(once));
  }
  // Longest first, so a form that contains another is removed whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Removes every occurrence of each secret from text that is about to leave the process. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let redacted = text;
  for (const secret of secrets) {
    // Checked first: every log line and result passes here, and almost none holds a secret.
    if (secret && redacted.includes(secret)) redacted = redacted.split(secret).join(REDACTED);
  }
  return redacted;
}

/** `value` with the secrets removed from every string and object key in it (structure and other text untouched). */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') return redactSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item, secrets)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [redactSecrets(key, secrets), redactDeep(item, secrets)])) as T;
  }
  return value;
}

/** Whether any string (key or value) in `value` holds one of `secrets`; walks without copying, for the common case of none. */
export function containsSecret(value: unknown, secrets: readonly string[]): boolean {
  if (typeof value === 'string') {
    // Loops, not .some(…): a closure per string and per array was ~2.6 KiB of every payment's allocation.
    for (const secret of secrets) if (value.includes(secret)) return true;
    return false;
  }
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (containsSecret(item, secrets)) return true;
    return false;
  }
  for (const key in value) {
    if (containsSecret(key, secrets) || containsSecret((value as Record<string, unknown>)[key], secrets)) return true;
  }
  return false;
}

/** A URL as it may be shown (to the model, in a log): userinfo and secret-looking query values replaced. */
export function displayUrl(url: string): string {
  return url
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(/([?&])([^=&#]+)=([^&#]*)/g, (whole, separator: string, name: string) =>
      SECRET_PARAMETER.test(name) ? `${separator}${name}=${REDACTED}` : whole,
    );
}

function urlSecrets(url: string): string[] {
  const secrets: string[] = [];
  const userinfo = URL_USERINFO.exec(url)?.[2];
  if (userinfo) {
    secrets.push(`//${userinfo}@`, `//${safeDecode(userinfo)}@`);
    const password = safeDecode(userinfo.slice(userinfo.indexOf(':') + 1));
    if (userinfo.includes(':') && password.length >= MIN_API_KEY_LENGTH) secrets.push(password);
  }
  for (const [, name = '', value = ''] of url.matchAll(/[?&]([^=&#]+)=([^&#]*)/g)) {
    if (!SECRET_PARAMETER.test(name) || value === '') continue;
    secrets.push(`${name}=${value}`);
    if (safeDecode(value).length >= MIN_API_KEY_LENGTH) secrets.push(value, safeDecode(value));
  }
  return secrets;
}

function hex(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}

/**
 * The base64 and base64url characters that depend on the secret's bytes alone, for the secret starting at
 * each byte offset modulo 3 of an encoded message: the secret leaves this run of characters in any encoding
 * that contains it, whatever comes before or after it.
 */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [0, 1, 2].flatMap((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    const core = encoded.slice(first, end);
    return [core, core.replaceAll('+', '-').replaceAll('/', '_')];
  });
}

function jsonEscaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
