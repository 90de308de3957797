// Replaced with package.json's version when bundled; the fallback serves in-process tests.
declare const __PACKAGE_VERSION__: string | undefined;

/** This server's version, read by whoever needs it (the MCP handshake, the User-Agent, --help). */
export const SERVER_VERSION = typeof __PACKAGE_VERSION__ === 'string' ? __PACKAGE_VERSION__ : '0.0.0-dev';
