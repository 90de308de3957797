import { createHash } from 'node:crypto';
import type { createClient } from 'redis';
import { type BudgetAnswer, type BudgetRequest, type BudgetStore, BudgetStoreUnavailable, DAY_MS, HOUR_MS } from './budget-store.js';

/**
 * Budgets in Redis, shared by every instance using it. Per environment and credential (the credential hashed),
 * three keys in one hash slot: `…:refs` (reference → "currency|amount"), `…:times` (references by reservation
 * time) and `…:sums` (currency → the 24 h sum). One Lua script drops what left the window, then checks and
 * reserves, so concurrent reservations on any instance see each other. Every key expires 24 h after the last
 * reservation. Times are the instances' clocks, which must agree (NTP), as for the idempotency leases.
 */
const RESERVE = `
local refs, times, sums = KEYS[1], KEYS[2], KEYS[3]
local reference, at, currency, amount = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local old = redis.call('ZRANGEBYSCORE', times, '-inf', ARGV[7])
for _, gone in ipairs(old) do
  local entry = redis.call('HGET', refs, gone)
  if entry then
    local goneCurrency, goneAmount = string.match(entry, '^([^|]*)|(%d+)$')
    if goneCurrency ~= '' then redis.call('HINCRBY', sums, goneCurrency, '-' .. goneAmount) end
    redis.call('HDEL', refs, gone)
  end
end
redis.call('ZREMRANGEBYSCORE', times, '-inf', ARGV[7])
if redis.call('HEXISTS', refs, reference) == 1 then return {'already_reserved', '0'} end
if ARGV[6] ~= '' then
  local count = redis.call('ZCOUNT', times, '(' .. ARGV[8], '+inf')
  if count + 1 > tonumber(ARGV[6]) then return {'payments_per_hour', tostring(count)} end
end
local used = redis.call('HGET', sums, currency) or '0'
if ARGV[5] ~= '' and tonumber(used) + tonumber(amount) > tonumber(ARGV[5]) then return {'per_day', used} end
redis.call('HSET', refs, reference, currency .. '|' .. amount)
redis.call('ZADD', times, at, reference)
if currency ~= '' then redis.call('HINCRBY', sums, currency, amount) end
for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, ARGV[9]) end
return {'reserved', '0'}`;

const RELEASE = `
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if not entry then return 0 end
local currency, amount = string.match(entry, '^([^|]*)|(%d+)$')
if currency ~= '' then redis.call('HINCRBY', KEYS[3], currency, '-' .. amount) end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1`;

// node-redis times a command out only while it is queued; once written it waits for ever. Each operation races this.
const DEFAULT_DEADLINE_MS = 2_000;
const MAX_RECONNECT_DELAY_MS = 2_000;

export interface RedisBudgetStoreOptions {
  /** `redis://` or `rediss://`; may hold a password, so it is never logged or put in an error. */
  url: string;
  /** Keeps test-mode and live-mode budgets apart when both share a Redis. */
  environment: string;
  /** How long one operation may take before the call is refused as unreachable. */
  deadlineMs?: number;
}

type RedisClient = ReturnType<typeof newClient>;

export class RedisBudgetStore implements BudgetStore {
  private client: Promise<RedisClient> | undefined;
  private closed = false;

  constructor(private readonly options: RedisBudgetStoreOptions) {}

  async reserve({ credential, reference, currency, amount, at, perDay, perHour }: BudgetRequest): Promise<BudgetAnswer> {
    const [kind, used] = (await this.command((client) =>
      client.eval(RESERVE, {
        keys: this.keys(credential),
        arguments: [
          reference,
          String(at),
          currency,
          String(amount),
          perDay === undefined ? '' : String(perDay),
          perHour === undefined ? '' : String(perHour),
          String(at - DAY_MS),
          String(at - HOUR_MS),
          String(DAY_MS),
        ],
      }),
    )) as [string, string];
    if (kind === 'reserved' || kind === 'already_reserved') return { kind };
    return { kind: 'refused', rule: kind === 'per_day' ? 'per_day' : 'payments_per_hour', used: Number(used) };
  }

  async release(credential: string, reference: string): Promise<void> {
    await this.command((client) => client.eval(RELEASE, { keys: this.keys(credential), arguments: [reference] }));
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = await this.client?.catch(() => undefined);
    this.client = undefined;
    if (client?.isReady) await client.close();
    else client?.destroy();
  }

  private keys(credential: string): string[] {
    const prefix = `dodo-mcp:budget:${this.options.environment}:{${createHash('sha256').update(credential).digest('hex')}}`;
    return [`${prefix}:refs`, `${prefix}:times`, `${prefix}:sums`];
  }

  /** One operation under its own deadline; any failure (unreachable, timed out, an error answer) is BudgetStoreUnavailable. */
  private async command<R>(send: (client: RedisClient) => Promise<R>): Promise<R> {
    if (this.closed) throw new BudgetStoreUnavailable();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new BudgetStoreUnavailable('deadline')), this.options.deadlineMs ?? DEFAULT_DEADLINE_MS);
    });
    try {
      return await Promise.race([this.connected().then(send), deadline]);
    } catch (error) {
      throw error instanceof BudgetStoreUnavailable ? error : new BudgetStoreUnavailable(error);
    } finally {
      clearTimeout(timer);
    }
  }

  private connected(): Promise<RedisClient> {
    this.client ??= this.connect();
    return this.client.then(
      (client) => {
        // Reconnecting in the background: fail now rather than queue.
        if (!client.isReady) throw new BudgetStoreUnavailable();
        return client;
      },
      (error: unknown) => {
        this.client = undefined; // the next call tries again
        throw error;
      },
    );
  }

  private async connect(): Promise<RedisClient> {
    // Loaded here, on first use: a server without a budget to keep in Redis never loads the client.
    const { createClient } = await import('redis');
    const client = newClient(createClient, this.options.url, this.options.deadlineMs ?? DEFAULT_DEADLINE_MS);
    await client.connect();
    return client;
  }
}

/** A client that fails fast: no offline queue, a connect timeout, bounded reconnection in the background. */
function newClient(create: typeof createClient, url: string, connectTimeout: number) {
  let wasReady = false;
  const client = create({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout,
      // A first connection that fails gives up (this call is refused, the next tries again); one that was up
      // reconnects in the background with bounded back-off.
      reconnectStrategy: (retries, cause) => (wasReady ? Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS) : cause),
    },
  });
  client.on('ready', () => {
    wasReady = true;
  });
  // Without a listener an 'error' event would end the process; failures reach callers as BudgetStoreUnavailable.
  client.on('error', () => undefined);
  return client;
}
