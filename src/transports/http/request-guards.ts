import { isIPv4, isIPv6 } from 'node:net';

// Host and Origin checks against DNS rebinding: a browser page on evil.example can be made to reach a
// server bound to 127.0.0.1, but its requests then carry `Host: evil.example` and its own Origin.

const LOOPBACK_HOST_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const WILDCARD_ADDRESSES = ['0.0.0.0', '::', '[::]'];
/** An allowed-origin entry ending in `:*` matches that scheme and host on any port. */
const ANY_PORT = ':*';

export function isLoopbackAddress(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || (isIPv4(bare) && bare.startsWith('127.'));
}

/** An address that binds every interface, so it names no host a client would use. */
export function isWildcardAddress(host: string): boolean {
  return WILDCARD_ADDRESSES.includes(host);
}

/** How a bind address appears in a Host header: IPv6 in brackets, lower case. */
export function hostNameOf(address: string): string {
  const lower = address.toLowerCase();
  return isIPv6(lower) ? `[${lower}]` : lower;
}

/** Host names a request may name: the loopback names when bound to loopback, the bound address itself, and the configured names. */
export function defaultAllowedHosts(bindHost: string, configuredHosts: readonly string[] = []): string[] {
  const names = [
    ...(isLoopbackAddress(bindHost) ? LOOPBACK_HOST_NAMES : []),
    ...(isWildcardAddress(bindHost) ? [] : [hostNameOf(bindHost)]),
    ...configuredHosts,
  ];
  return [...new Set(names)];
}

/** Origins a browser request may come from: any loopback page (any port) when bound to loopback, and the configured origins. */
export function defaultAllowedOrigins(bindHost: string, configuredOrigins: readonly string[] = []): string[] {
  const loopbackOrigins = LOOPBACK_HOST_NAMES.flatMap((name) => [`http://${name}${ANY_PORT}`, `https://${name}${ANY_PORT}`]);
  return [...new Set([...(isLoopbackAddress(bindHost) ? loopbackOrigins : []), ...configuredOrigins])];
}

/** The host name of a `Host` header value (port dropped, lower case), or undefined when it is not one. */
function hostHeaderName(hostHeader: string | undefined): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i.exec(hostHeader ?? '');
  return match?.[1]?.toLowerCase();
}

export function isHostAllowed(hostHeader: string | undefined, allowedHosts: readonly string[]): boolean {
  const name = hostHeaderName(hostHeader);
  return name !== undefined && allowedHosts.includes(name);
}

export function isOriginAllowed(origin: string, allowedOrigins: readonly string[]): boolean {
  const url = URL.canParse(origin) ? new URL(origin) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return false;
  const schemeAndHost = `${url.protocol}//${url.hostname}`;
  return allowedOrigins.some((allowed) =>
    allowed.endsWith(ANY_PORT) ? allowed.slice(0, -ANY_PORT.length) === schemeAndHost : allowed === url.origin,
  );
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
