const REDACTED = '[REDACTED]';

/** Removes every occurrence of each secret from text that is about to leave the process. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret) redacted = redacted.split(secret).join(REDACTED);
  }
  return redacted;
}
