import { nodeCrypto, sha256 } from '../node-crypto.js';

// Dodo's POST /payments has no idempotency key, so every POST carries a reference of ours in its metadata; when the
// answer is lost (or a store forgot the key), the server lists recent payments and looks for it.

/** The metadata key reserved for the reference; callers may not use it. */
export const RECONCILE_KEY_NAME = 'mcp_ref';

/**
 * What a payment carries under RECONCILE_KEY_NAME: `<key>.<request>`, two hashes. The key part is the same for every
 * server instance, so any of them can find a payment another one sent; the request part tells whether a payment
 * found under the key was made for this request (customer, cart, every argument) or for another one that reused the
 * key. Hashes, so neither the key nor customer data reaches Dodo through it.
 */
export interface PaymentReference {
  /** The key's part: 24 characters of the base64url SHA-256 of the idempotency key. */
  key: string;
  /** The request's part: 16 characters of the base64url SHA-256 of the request's canonical JSON. */
  request: string;
}

export function paymentReference(idempotencyKey: string, canonicalRequest: string): PaymentReference {
  return { key: digest(idempotencyKey, 24), request: digest(canonicalRequest, 16) };
}

/** The metadata value a POST carries. */
export const referenceValue = ({ key, request }: PaymentReference): string => `${key}.${request}`;

/** How a payment's metadata value relates to `reference`: this request's, another request's under the same key, or neither. */
export function referenceMatch(value: unknown, reference: PaymentReference): 'same_request' | 'other_request' | 'none' {
  if (typeof value !== 'string') return 'none';
  const [key, request] = value.split('.', 2);
  if (key !== reference.key) return 'none';
  return request === reference.request ? 'same_request' : 'other_request';
}

/** A key for a call that came without one, handed to the agent so its retry is covered too. */
export function generatedIdempotencyKey(): string {
  return `mcp-${nodeCrypto().randomUUID()}`;
}

const digest = (text: string, length: number) => sha256(text).digest('base64url').slice(0, length);
