/**
 * A process's session, engine-neutral: the waits it has queued, the locks and permits
 * it holds, its lease, and the reaper.
 *
 * Lifetimes: a pending wait is in `#pending` from the reply that queued it until its
 * grant arrives, its cancellation is confirmed, or the session is lost (all reject).
 * A holding (lock or permit) is in `#held` from its grant to its release or the loss
 * of the session (its `lost` signal fires). Both are bounded by what the program asked.
 *
 * Liveness: the lease is renewed every third of its length (on a connection of the
 * engine's own, never behind a transition). A deadline timer, re-armed by each renewal
 * that succeeds, fires `lease - margin` after that renewal was *sent* (margin: a tenth
 * of the lease); the server counts its deadline from when it *ran* the renewal, which
 * is later. So the session counts as lost here at least `margin` before any other
 * process may end it (as far as this process's timers are on time). The reaper runs
 * every `reapInterval` while a wait is queued (and once at connect), so a holder that
 * dies while waits are queued is noticed within that bound (a new wait notices at once,
 * in the engine); wake-ups themselves are pushed by the engine.
 */
import { AbortError, TimeoutError } from '@waitables/common';
import { PendingWait } from '@waitables/common/pending-wait';
import type { EngineEvents, EngineSession, GrantReport, ObjectKind, WaitReply } from './engine.js';
import { DatabaseClosedError, SessionLostError } from './errors.js';
import type { CheckedWaitOptions } from './options.js';

/**
 * What a wait targets: enough to give a grant back.
 * @internal
 */
export interface Target {
  readonly id: string;
  readonly kind: ObjectKind;
  readonly manualReset: boolean;
  /** A reader's wait on a reader-writer lock (its only target). */
  readonly shared?: boolean;
}

/** A lock or a permit: told when the session that holds it is lost. */
export interface Holding {
  lose(cause: unknown): void;
}

interface Pending {
  readonly targets: readonly Target[];
  readonly all: boolean;
  readonly ref: boolean;
  cancelling: Error | null;
  resolve(grant: GrantReport): void;
  reject(error: unknown): void;
  detach(): void;
}

export interface SessionTimes {
  readonly lease: number;
  readonly reapInterval: number;
}

export class Session implements EngineEvents {
  engine!: EngineSession;
  readonly #pending = new Map<string, Pending>();
  /** Grants that arrived before the reply that queued their wait (never expected; kept safe). */
  readonly #early = new Map<string, GrantReport>();
  readonly #held = new Set<Holding>();
  #lost: unknown = null;
  #renewedAt = performance.now();
  #leaseTimer: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;
  #reapTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly times: SessionTimes,
    readonly onEnd: (session: Session) => void,
  ) {}

  /** Starts the lease once the engine session is open. */
  start(engine: EngineSession): void {
    this.engine = engine;
    this.#renewedAt = performance.now();
    this.#leaseTimer = setInterval(() => this.#renew(), Math.max(1, Math.floor(this.times.lease / 3)));
    this.#leaseTimer.unref();
    this.#armDeadline();
  }

  /** How long before the server's lease deadline `lost` fires (a tenth of the lease). */
  static margin(lease: number): number {
    return Math.floor(lease / 10);
  }

  /** Lost at `renewedAt + lease - margin`, unless a renewal succeeds first and moves it. */
  #armDeadline(): void {
    clearTimeout(this.#deadline);
    if (this.#lost !== null) return;
    const lease = this.times.lease;
    const at = this.#renewedAt + lease - Session.margin(lease);
    this.#deadline = setTimeout(
      () => this.onLost(new Error(`the lease was not renewed for ${lease - Session.margin(lease)} ms (lease ${lease} ms)`)),
      Math.max(0, at - performance.now()),
    );
    this.#deadline.unref();
  }

  get lost(): boolean {
    return this.#lost !== null;
  }

  /** Throws if the session is gone. */
  check(): void {
    if (this.#lost !== null) throw this.#lost instanceof DatabaseClosedError ? this.#lost : new SessionLostError({ cause: this.#lost });
  }

  hold(holding: Holding): void {
    if (this.#lost !== null) holding.lose(this.#lost);
    else this.#held.add(holding);
  }

  unhold(holding: Holding): void {
    this.#held.delete(holding);
  }

  /**
   * Waits for `targets` (any or all). Resolves to the grant; rejects with AbortError,
   * TimeoutError or SessionLostError, having given back anything granted meanwhile.
   */
  async wait(targets: readonly Target[], all: boolean, options: CheckedWaitOptions): Promise<GrantReport> {
    const { signal, timeout, ref } = options;
    if (signal?.aborted) throw new AbortError({ cause: signal.reason });
    this.check();
    const started = performance.now();
    let reply: WaitReply;
    try {
      reply = await this.engine.wait(
        targets.map((t) => t.id),
        all,
        timeout !== 0,
        targets[0]!.shared === true,
      );
    } catch (error) {
      if (this.#lost !== null) throw new SessionLostError({ cause: error });
      throw error;
    }
    // Closed or lost while the statement ran: the end of the session (which the database
    // runs after this statement) gave back whatever it granted or queued.
    if (this.#lost !== null) this.check();
    if (reply.kind === 'granted') {
      if (signal?.aborted) {
        await this.giveBack(targets, all, reply.grant);
        throw new AbortError({ cause: signal.reason });
      }
      return reply.grant;
    }
    if (reply.kind === 'unavailable') throw new TimeoutError(timeout);
    const wait = reply.wait;
    return new Promise<GrantReport>((resolve, reject) => {
      // The timeout counts from the call: what the statement took is spent.
      const left = timeout === Infinity ? Infinity : Math.max(0, timeout - (performance.now() - started));
      const pending = new PendingWait({ signal, timeout: left, reportedTimeout: timeout }, (error) => cancel(error));
      const entry: Pending = {
        targets,
        all,
        ref,
        cancelling: null,
        resolve,
        reject,
        detach: () => pending.disarm(),
      };
      const cancel = (error: Error) => {
        if (entry.cancelling || !this.#pending.has(wait)) return;
        entry.cancelling = error;
        entry.detach();
        this.engine.cancel(wait).then(
          (wasQueued) => {
            // Not queued any more: it was granted, and the grant (already here, or on its way
            // on this same connection) is given back by onGrant.
            if (wasQueued && this.#pending.delete(wait)) this.#settled(() => reject(error));
          },
          () => undefined, // the session is lost: onLost rejects every pending wait.
        );
      };
      this.#pending.set(wait, entry);
      this.#updateRef();
      this.#armReaper();
      pending.arm();
      const early = this.#early.get(wait);
      if (early) {
        this.#early.delete(wait);
        this.onGrant(early);
      }
    });
  }

  /** A grant pushed by the engine. */
  onGrant(grant: GrantReport): void {
    const entry = this.#pending.get(grant.wait);
    if (!entry) {
      this.#early.set(grant.wait, grant);
      return;
    }
    this.#pending.delete(grant.wait);
    if (entry.cancelling) {
      const error = entry.cancelling;
      this.giveBack(entry.targets, entry.all, grant).then(
        () => entry.reject(error),
        () => entry.reject(error),
      );
    } else {
      entry.detach();
      entry.resolve(grant);
    }
    this.#settled(() => undefined);
  }

  /** Gives back what a grant took: a mutex or reader-writer lock released, a unit returned, an auto-reset signal set again. */
  async giveBack(targets: readonly Target[], all: boolean, grant: GrantReport): Promise<void> {
    const taken = all ? targets : [targets[grant.index]!];
    for (const t of taken) {
      if (t.kind === 'mutex') await this.engine.releaseMutex(t.id, grant.wait);
      else if (t.kind === 'semaphore') await this.engine.releasePermit(t.id, grant.wait);
      else if (t.kind === 'rwlock')
        await (t.shared ? this.engine.releaseRead(t.id, grant.wait) : this.engine.releaseWrite(t.id, grant.wait));
      else if (!t.manualReset) await this.engine.signalEvent(t.id, 'set');
    }
  }

  /** The engine lost the session (connection cut, server restart, lease). */
  onLost(cause: unknown): void {
    this.#end(cause);
    this.engine?.destroy();
  }

  /** A clean end: pending waits reject with DatabaseClosedError, then the engine releases what is held. */
  async close(): Promise<void> {
    if (this.#lost !== null) return;
    this.#end(new DatabaseClosedError());
    await this.engine.close();
  }

  #end(cause: unknown): void {
    if (this.#lost !== null) return;
    this.#lost = cause;
    clearInterval(this.#leaseTimer);
    clearTimeout(this.#deadline);
    clearInterval(this.#reapTimer);
    this.#reapTimer = undefined;
    const error = cause instanceof DatabaseClosedError ? cause : new SessionLostError({ cause });
    for (const entry of this.#pending.values()) {
      entry.detach();
      entry.reject(entry.cancelling ?? error);
    }
    this.#pending.clear();
    for (const holding of this.#held) holding.lose(cause);
    this.#held.clear();
    this.onEnd(this);
  }

  #renew(): void {
    if (this.#lost !== null) return;
    const sent = performance.now();
    this.engine.renew(this.times.lease).then(
      (ok) => {
        if (this.#lost !== null) return;
        if (!ok) {
          this.onLost(new Error('the session was ended by another process (its lease had expired)'));
        } else if (sent > this.#renewedAt) {
          this.#renewedAt = sent;
          this.#armDeadline();
        }
      },
      () => undefined, // the next renewal tries again; the deadline decides
    );
  }

  /** While waits are queued, ended sessions are looked for every reapInterval. */
  #armReaper(): void {
    if (this.#reapTimer !== undefined) return;
    this.#reapTimer = setInterval(() => {
      this.engine.reap().catch(() => undefined);
    }, this.times.reapInterval);
    this.#reapTimer.unref();
  }

  /** Pending waits with `ref` keep the process alive (the engine also does while a statement runs). */
  #updateRef(): void {
    if (this.#lost !== null) return;
    let ref = false;
    for (const entry of this.#pending.values()) if (entry.ref) ref = true;
    this.engine.keepAlive(ref);
  }

  #settled(then: () => void): void {
    then();
    this.#updateRef();
    if (this.#pending.size === 0 && this.#reapTimer !== undefined) {
      clearInterval(this.#reapTimer);
      this.#reapTimer = undefined;
    }
  }
}
