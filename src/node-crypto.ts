import nodeModule from 'node:module';
import { onFirstUse } from './on-first-use.js';

/**
 * node:crypto, loaded the first time it is asked for. Loading it takes ~8 ms (Node 20 and 22), a twentieth of a cold
 * start, and a server needs it only once a tool is called (a reference, a fingerprint) or a static token is checked.
 */
export const nodeCrypto = onFirstUse((): typeof import('node:crypto') => nodeModule.createRequire(import.meta.url)('node:crypto'));

/** A SHA-256 of `text` (UTF-8), to digest as each user needs it. */
export const sha256 = (text: string) => nodeCrypto().createHash('sha256').update(text);
