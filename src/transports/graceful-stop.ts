import type { SharedState } from '../server/shared-state.js';

type StoppingProcess = Pick<NodeJS.Process, 'on' | 'exit'>;

export interface GracefulStopOptions {
  shared: Pick<SharedState, 'logger' | 'config' | 'payments' | 'spend' | 'close'>;
  /** Runs alongside the payments' drain, within the same grace (HTTP: stop listening, let requests in flight finish). */
  whileDraining?(graceMs: number): Promise<unknown>;
  /** Once `stopped` is logged (stdio: close the connection, aborting what is left; each call logs its outcome). */
  afterStopped?(): Promise<unknown>;
  /** Whose signals stop the server, and which exits: tests pass a stand-in. */
  process?: StoppingProcess;
}

/**
 * Shutdown for both transports, on SIGTERM or SIGINT (SIGHUP reloads the spend policy instead): new payments are
 * refused, those in flight get DODO_PAYMENTS_SHUTDOWN_GRACE_MS to finish and the rest are aborted (each logging its
 * outcome), the shared state is closed and the process exits 0. Logs `stopping` (reason, grace_ms) first and
 * `stopped` (payments_finished, payments_aborted) once the state is closed. Returns `stop(reason)` for other causes
 * (stdin's end); only the first cause counts.
 */
export function stopGracefully(options: GracefulStopOptions): (reason: string) => Promise<void> {
  const { shared, whileDraining, afterStopped, process: host = process } = options;
  const { logger } = shared;
  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = shared.config.shutdownGraceMs;
    logger.info('stopping', { reason, grace_ms: graceMs });
    const [{ finished, aborted }] = await Promise.all([shared.payments.drain(graceMs), whileDraining?.(graceMs)]);
    // The answers of calls that just ended are written (a few promise turns later) before anything closes.
    await new Promise((resolve) => setImmediate(resolve));
    await shared.close();
    logger.info('stopped', { reason, payments_finished: finished, payments_aborted: aborted });
    try {
      await afterStopped?.();
    } finally {
      host.exit(0);
    }
  };
  host.on('SIGTERM', () => void stop('SIGTERM'));
  host.on('SIGINT', () => void stop('SIGINT'));
  host.on('SIGHUP', () => shared.spend.reload(logger));
  return stop;
}
