import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type GracefulStopOptions, stopGracefully } from '../src/transports/graceful-stop.js';
import { recordingLogger } from './support/http-fakes.js';

/** A process stand-in, shared state whose steps record themselves, and the order they ran in. */
function setUp(drained = { finished: 1, aborted: 2 }) {
  const steps: string[] = [];
  const { logger, lines } = recordingLogger();
  const host = Object.assign(new EventEmitter(), { exit: (code: number) => void steps.push(`exit ${code}`) });
  let finishDrain!: () => void;
  const shared = {
    logger,
    config: { shutdownGraceMs: 1234 },
    payments: {
      drain: (graceMs: number) => {
        steps.push(`drain ${graceMs}`);
        return new Promise<typeof drained>((resolve) => (finishDrain = () => resolve(drained)));
      },
    },
    spend: { reload: () => void steps.push('reload') },
    close: () => {
      steps.push('close');
      return Promise.resolve();
    },
  } as unknown as GracefulStopOptions['shared'];
  const logged = lines;
  return { steps, host, shared, logged, finishDrain: () => finishDrain() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve)).then(() => new Promise((resolve) => setImmediate(resolve)));

describe('stopGracefully', () => {
  it.each(['SIGTERM', 'SIGINT'])(
    '%s: stopping, drain alongside the transport, close, stopped, then the transport, exit 0',
    async (signal) => {
      const { steps, host, shared, logged, finishDrain } = setUp();
      stopGracefully({
        shared,
        process: host as unknown as NodeJS.Process,
        whileDraining: (graceMs) => {
          steps.push(`while draining ${graceMs}`);
          return Promise.resolve();
        },
        afterStopped: () => {
          steps.push('after stopped');
          return Promise.resolve();
        },
      });
      host.emit(signal);
      await settle();
      expect(steps).toEqual(['drain 1234', 'while draining 1234']);
      expect(logged()).toEqual([expect.objectContaining({ event: 'stopping', level: 'info', reason: signal, grace_ms: 1234 })]);
      finishDrain();
      await settle();
      expect(steps).toEqual(['drain 1234', 'while draining 1234', 'close', 'after stopped', 'exit 0']);
      expect(logged()[1]).toMatchObject({ event: 'stopped', level: 'info', reason: signal, payments_finished: 1, payments_aborted: 2 });
    },
  );

  it('logs stopped after closing the state and before the transport ends what is left', async () => {
    const { steps, host, shared, logged, finishDrain } = setUp();
    const events = () => logged().map((line) => line.event);
    stopGracefully({
      shared,
      process: host as unknown as NodeJS.Process,
      afterStopped: () => {
        steps.push(`after stopped, log: ${events().join(',')}`);
        return Promise.resolve();
      },
    });
    host.emit('SIGTERM');
    finishDrain();
    await settle();
    expect(steps).toEqual(['drain 1234', 'close', 'after stopped, log: stopping,stopped', 'exit 0']);
  });

  it('only the first cause stops: a second signal or stop(reason) does nothing', async () => {
    const { steps, host, shared, logged, finishDrain } = setUp();
    const stop = stopGracefully({ shared, process: host as unknown as NodeJS.Process });
    void stop('stdin closed');
    host.emit('SIGTERM');
    void stop('stdin closed');
    finishDrain();
    await settle();
    expect(steps).toEqual(['drain 1234', 'close', 'exit 0']);
    expect(logged().map((line) => [line.event, line.reason])).toEqual([
      ['stopping', 'stdin closed'],
      ['stopped', 'stdin closed'],
    ]);
  });

  it('exits 0 even when the transport fails to close', async () => {
    const { steps, host, shared, finishDrain } = setUp();
    const stop = stopGracefully({ shared, process: host as unknown as NodeJS.Process, afterStopped: () => Promise.reject(new Error('x')) });
    const stopped = stop('SIGTERM');
    finishDrain();
    await expect(stopped).rejects.toThrow('x');
    expect(steps.at(-1)).toBe('exit 0');
  });

  it('SIGHUP reloads the spend policy and does not stop', async () => {
    const { steps, host, shared, logged } = setUp();
    stopGracefully({ shared, process: host as unknown as NodeJS.Process });
    host.emit('SIGHUP');
    await settle();
    expect(steps).toEqual(['reload']);
    expect(logged()).toEqual([]);
  });
});
