import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_SERVER_MISSING, type RedisServer, startRedisServer } from './support/redis-server.js';

describe('the redis-server test harness', () => {
  it('finds redis-server on PATH, and without it fails with one line saying how to install it', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const failure = startRedisServer().then(
        () => 'started',
        (error: Error) => error.message,
      );
      expect(await failure).toBe(REDIS_SERVER_MISSING);
    } finally {
      process.env.PATH = path;
    }
    expect(REDIS_SERVER_MISSING).not.toContain('\n');
  });

  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis.stop());

  it('runs a real redis on loopback that node-redis can SET and GET', async () => {
    expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    const client = await createClient({ url: redis.url }).connect();
    try {
      expect(await client.set('idempotency:demo', 'in_progress', { condition: 'NX', expiration: { type: 'PX', value: 60_000 } })).toBe(
        'OK',
      );
      expect(await client.set('idempotency:demo', 'again', { condition: 'NX' })).toBeNull();
      expect(await client.get('idempotency:demo')).toBe('in_progress');
    } finally {
      client.destroy();
    }
  });
});
