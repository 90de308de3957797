import { type Config, ignoredHostedVariables } from '../config/config.js';
import type { Logger } from '../logging/logger.js';

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
