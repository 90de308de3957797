import { isIPv4 } from 'node:net';

// Host names and origins as hosted mode's variables give them and as requests carry them: the configuration
// normalizes them at start, request-guards.ts compares requests with them.

const WILDCARD_ADDRESSES = ['0.0.0.0', '::', '[::]'];
/** An allowed-origin entry ending in `:*` matches that scheme and host on any port. */
export const ANY_PORT = ':*';

/** Whether an address (or a URL's host name: IPv6 in brackets) is this machine's loopback. */
export function isLoopbackAddress(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || (isIPv4(bare) && bare.startsWith('127.'));
}

/** An address that binds every interface, so it names no host a client would use. */
export function isWildcardAddress(host: string): boolean {
  return WILDCARD_ADDRESSES.includes(host);
}

/** The host name of a `Host` header value (port dropped, lower case), or undefined when it is not one. */
export function hostHeaderName(hostHeader: string | undefined): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i.exec(hostHeader ?? '');
  return match?.[1]?.toLowerCase();
}

/** A configured host name in the form requests are compared with, or undefined when it is not a bare host name. */
export function normalizeHostName(entry: string): string | undefined {
  const name = hostHeaderName(entry);
  return name !== undefined && name === entry.toLowerCase() ? name : undefined;
}

/** A configured origin (`scheme://host[:port]`, or `scheme://host:*`) in canonical form, or undefined when it is not one. */
export function normalizeOriginPattern(entry: string): string | undefined {
  const anyPort = entry.endsWith(ANY_PORT);
  const base = anyPort ? entry.slice(0, -ANY_PORT.length) : entry;
  // Scheme and authority only: no path, query, fragment or credentials.
  if (!/^https?:\/\/[^/?#@]+$/i.test(base) || !URL.canParse(base)) return undefined;
  const url = new URL(base);
  if (anyPort && url.port !== '') return undefined;
  return anyPort ? `${url.origin}${ANY_PORT}` : url.origin;
}
