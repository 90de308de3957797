import { isIPv6 } from 'node:net';
import { ANY_PORT, hostHeaderName, isLoopbackAddress, isWildcardAddress } from '../../config/host-names.js';

// Host and Origin checks against DNS rebinding: a browser page on evil.example can be made to reach a
// server bound to 127.0.0.1, but its requests then carry `Host: evil.example` and its own Origin.

const LOOPBACK_HOST_NAMES = ['localhost', '127.0.0.1', '[::1]'];

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
