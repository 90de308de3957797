import type { createClient } from 'redis';
import type { RecordBackend } from './record-backend.js';

const CONNECT_TIMEOUT_MS = 2_000;
const MAX_RECONNECT_DELAY_MS = 2_000;
const EPOCH_KEY = 'dodo-mcp:epoch';

/** Creates the record (ARGV[1], TTL ARGV[2] ms) if absent and the epoch marker is still ARGV[3]. */
const CREATE = `
if redis.call('GET', KEYS[2]) ~= ARGV[3] then return 'epoch' end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'ok' end
return 'exists'`;

/** Replaces the record with ARGV[2] (TTL ARGV[3] ms) only if it is still exactly ARGV[1] and the epoch is ARGV[4]. */
const REPLACE = `
if redis.call('GET', KEYS[2]) ~= ARGV[4] then return 'epoch' end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'changed' end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 'ok'`;

/**
 * Replaces (ARGV[2], TTL ARGV[3] ms) or deletes (ARGV[2] empty) the record, only while run ARGV[1] owns it; an
 * in-flight record's leaseUntil never moves back, except to 0 (the key given back).
 */
const WRITE_IF_OWNER = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, record = pcall(cjson.decode, current)
if not ok or type(record) ~= 'table' or record.state ~= 'in_flight' or record.owner ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) return 1 end
local okNext, next = pcall(cjson.decode, ARGV[2])
if okNext and next.state == 'in_flight' and next.leaseUntil ~= 0 and tonumber(next.leaseUntil) < tonumber(record.leaseUntil) then return 1 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

/** Sets the epoch marker to ARGV[2] if it is still ARGV[1]; returns the marker. */
const REPLACE_EPOCH = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) end
return redis.call('GET', KEYS[1])`;

/** What Redis says of its own durability, for the start line, /healthz and the README's promise. */
export type RedisDurability =
  /** Every write is appended to a file (`appendonly yes`): a restart keeps it (up to `appendfsync`'s last second). */
  | 'aof'
  /** Only periodic snapshots (`save`): a restart loses what was written since the last one. */
  | 'snapshots'
  /** Neither: a restart loses everything. */
  | 'none'
  /** `CONFIG` is refused (managed services) or did not answer. */
  | 'unknown';

type RedisClient = ReturnType<typeof newClient>;

/** The records in Redis, through node-redis: fails fast (no offline queue), reconnects with bounded back-off. */
export class RedisRecords implements RecordBackend {
  connections = 0;
  private client: RedisClient | undefined;
  private connecting: Promise<RedisClient> | undefined;
  private connectStartedAt = 0;
  private knownDurability: { connections: number; value: RedisDurability } | undefined;
  private closed = false;

  /** `url`: `redis://` or `rediss://`; may hold a password, so it is never logged or put in an error. */
  constructor(private readonly url: string) {}

  async get(key: string): Promise<string | null> {
    return (await this.connected()).get(key);
  }

  async create(key: string, value: string, ttlMs: number, epoch: string): Promise<'ok' | 'exists' | 'epoch'> {
    const client = await this.connected();
    return (await client.eval(CREATE, { keys: [key, EPOCH_KEY], arguments: [value, String(ttlMs), epoch] })) as 'ok' | 'exists' | 'epoch';
  }

  async replace(key: string, expected: string, value: string, ttlMs: number, epoch: string): Promise<'ok' | 'changed' | 'epoch'> {
    const client = await this.connected();
    return (await client.eval(REPLACE, { keys: [key, EPOCH_KEY], arguments: [expected, value, String(ttlMs), epoch] })) as
      | 'ok'
      | 'changed'
      | 'epoch';
  }

  async writeIfOwner(key: string, owner: string, value: string | null, ttlMs: number): Promise<boolean> {
    const client = await this.connected();
    return (await client.eval(WRITE_IF_OWNER, { keys: [key], arguments: [owner, value ?? '', String(ttlMs)] })) === 1;
  }

  async epoch(candidate: string): Promise<string> {
    const client = await this.connected();
    await client.set(EPOCH_KEY, candidate, { condition: 'NX' });
    return (await client.get(EPOCH_KEY)) ?? candidate;
  }

  async replaceEpoch(expected: string, candidate: string): Promise<string> {
    const client = await this.connected();
    return String(await client.eval(REPLACE_EPOCH, { keys: [EPOCH_KEY], arguments: [expected, candidate] }));
  }

  async serverRunId(): Promise<string> {
    const info = await (await this.connected()).info('server');
    return /run_id:(\w+)/.exec(info)?.[1] ?? '';
  }

  async ping(): Promise<void> {
    await (await this.connected()).ping();
  }

  /**
   * How the server keeps its data: `appendonly`, else `save` snapshots, else nothing. Read once per connection (a
   * health probe every few seconds need not ask `CONFIG` each time; a new connection may be a new server).
   */
  async durability(): Promise<RedisDurability> {
    if (this.knownDurability?.connections === this.connections) return this.knownDurability.value;
    let value: RedisDurability;
    try {
      const client = await this.connected();
      const config = { ...(await client.configGet('appendonly')), ...(await client.configGet('save')) };
      value = config.appendonly === 'yes' ? 'aof' : config.save ? 'snapshots' : 'none';
    } catch {
      return 'unknown';
    }
    this.knownDurability = { connections: this.connections, value };
    return value;
  }

  /** Drops the connection, unless it is still being made within its own timeout (the calls waiting on it would fail). */
  reset(): void {
    if (this.connecting && Date.now() - this.connectStartedAt < CONNECT_TIMEOUT_MS) return;
    const client = this.client;
    this.client = undefined;
    if (client?.isOpen) client.destroy();
  }

  /** Disconnects; later operations fail. Call after the payments in flight were drained. */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    if (!client?.isOpen) return;
    if (client.isReady) await client.close();
    else client.destroy();
  }

  private connected(): Promise<RedisClient> {
    if (this.closed) return Promise.reject(new Error('closed'));
    if (this.client?.isReady) return Promise.resolve(this.client);
    if (!this.connecting) this.connectStartedAt = Date.now();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<RedisClient> {
    // Loaded here, on first use, so a server without Redis never loads the client.
    const { createClient } = await import('redis');
    this.client ??= newClient(createClient, this.url, () => {
      this.connections += 1;
    });
    const client = this.client;
    // Open but not ready: it is reconnecting in the background; fail now rather than queue.
    if (client.isOpen) throw new Error('reconnecting');
    await client.connect();
    return client;
  }
}

/** A client that fails fast: no offline queue, bounded reconnection; `onReady` counts each (re)connection. */
function newClient(create: typeof createClient, url: string, onReady: () => void) {
  let wasReady = false;
  const client = create({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // A first connection that fails gives up at once (the call fails closed; the next call tries again); a
      // connection that was up reconnects in the background with bounded back-off.
      reconnectStrategy: (retries, cause) => (wasReady ? Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS) : cause),
    },
  });
  client.on('ready', () => {
    wasReady = true;
    onReady();
  });
  // Without a listener an 'error' event would end the process; failures reach callers through the store.
  client.on('error', () => undefined);
  return client;
}
