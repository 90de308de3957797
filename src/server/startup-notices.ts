import { type Config, ignoredHostedVariables } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import type { IdempotencyStatus } from './shared-state.js';

/** What an operator must notice at start: a server that cannot call Dodo, one that charges real money, settings it ignores. */
export function logStartupNotices(config: Config, logger: Logger): void {
  if (config.apiKey === undefined) {
    logger.warn('api_key_missing', {
      message: 'DODO_PAYMENTS_API_KEY is not set; the tools are listed but every call will return an error',
    });
  }
  if (config.environment === 'live_mode') {
    logger.warn('live_mode', { message: 'LIVE MODE: payments created by this server charge real customers real money' });
  }
  const ignored = ignoredHostedVariables(config);
  if (ignored.length > 0) {
    logger.warn('hosted_variables_ignored', {
      message: `${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} set but read only in hosted mode (DODO_PAYMENTS_MCP_TRANSPORT=http); serving stdio`,
    });
  }
}

/**
 * One line at start naming the idempotency store and what it keeps across a restart; a warning when Redis does not
 * answer (payment calls fail closed until it does) or keeps no durable copy (after each of its restarts, keyed calls
 * look for an earlier payment before sending, and wait out requests a lost record's holder could still have in flight).
 */
export async function logIdempotencyStore(status: () => Promise<IdempotencyStatus>, logger: Logger): Promise<void> {
  const fields = await status();
  if (!fields.reachable) {
    logger.warn('idempotency_store', {
      ...fields,
      message: 'Redis does not answer: payment calls are refused, nothing sent, until it does',
    });
  } else if (fields.durability === 'none' || fields.durability === 'snapshots') {
    logger.warn('idempotency_store', {
      ...fields,
      message: 'Redis keeps no append-only file: a Redis restart forgets keys, and payments then wait for a search before sending',
    });
  } else {
    logger.info('idempotency_store', { ...fields });
  }
}
