/**
 * The etcd engine's keys and values: every key of a connection lives under
 * `<prefix>/` (the `schema` option), in three families.
 *
 * - `<prefix>/o/<name>`: one object, its whole state in one JSON value (`ObjectValue`):
 *   count, owner, permits and its FIFO queue. Keeping the queue in the object's own
 *   value means that one compare of the object's mod revision covers its state and its
 *   queue: a transition that read the object commits only if nobody changed either.
 *   The object's id is `<create revision>/<name>`: a handle of an object that was removed
 *   and created again fails its compare of the create revision. Lives until `remove()`.
 * - `<prefix>/s/<lease id>`: one session, attached to the session's lease, so it
 *   disappears when the lease ends (revoked on close, expired when its process died,
 *   froze or lost the cluster). The session id is its create revision. Its value is also
 *   the session's receipt (`SessionValue`): each transition of the session rewrites it
 *   with the operation's id and reply, so that a transition whose outcome the client
 *   did not learn (the leader died mid-call) is looked up instead of repeated.
 * - `<prefix>/g/<session id>/<wait id>`: a grant to a queued wait, written by the
 *   transition that granted it, pushed to the session by its watch, deleted by the
 *   session's next transition once delivered (no write of its own), by its close, or by
 *   whoever reaps the session. The grant's fencing token
 *   is this key's mod revision: the revision of the granting transaction.
 *
 * Fencing tokens are revisions of the cluster: monotonic, never reissued, also across
 * leader elections. An object's latest token is `fence` when set, else the object key's
 * own mod revision (the write that granted it cannot know its own revision).
 */

export interface Holder {
  /** The grant (a mutex's owner grant, a permit) or the wait id. */
  readonly grant: string;
  /** The session id (the create revision of its session key). */
  readonly session: number;
  /** The session's lease id (decimal): its key is `<prefix>/s/<lease>`. */
  readonly lease: string;
  /** When it was granted or queued (Date.now() of the process that wrote it; absent in values written before). */
  readonly since?: number;
}

export interface QueuedWait extends Holder {
  readonly all: boolean;
  /** Every object of the wait, in the caller's order (the index of a wait-any grant). */
  readonly objects: readonly string[];
}

export interface ObjectValue {
  readonly kind: 'mutex' | 'semaphore' | 'event';
  /** Semaphore: units available; event: 1 if set; mutex: 0. */
  count: number;
  readonly maximum: number;
  readonly manualReset: boolean;
  owner: Holder | null;
  abandoned: boolean;
  permits: Holder[];
  /** Oldest first: the order of the transactions that queued them (their revisions). */
  queue: QueuedWait[];
  /** The latest fencing token, or null: the revision of this very write (it granted). */
  fence: number | null;
}

/** What a transition answered, kept in the session key in case the answer was lost on the way. */
export interface SessionValue {
  readonly label: string;
  readonly op: string;
  readonly reply: unknown;
}

/** A grant to a queued wait; its fences are the grant key's mod revision. */
export interface GrantValue {
  readonly index: number;
  readonly abandoned: boolean;
  /** How many objects the grant took (one fence each). */
  readonly taken: number;
}

export class Keys {
  constructor(readonly prefix: string) {}
  object(name: string): string {
    return `${this.prefix}/o/${name}`;
  }
  get objects(): string {
    return `${this.prefix}/o/`;
  }
  session(lease: string): string {
    return `${this.prefix}/s/${lease}`;
  }
  get sessions(): string {
    return `${this.prefix}/s/`;
  }
  grants(session: number): string {
    return `${this.prefix}/g/${session}/`;
  }
  get allGrants(): string {
    return `${this.prefix}/g/`;
  }
  grant(session: number, wait: string): string {
    return `${this.grants(session)}${wait}`;
  }
}

/** `<create revision>/<name>` <-> its parts. */
export function objectId(createRevision: number, name: string): string {
  return `${createRevision}/${name}`;
}

export function parseObjectId(id: string): { revision: number; name: string } {
  const slash = id.indexOf('/');
  return { revision: Number(id.slice(0, slash)), name: id.slice(slash + 1) };
}

/** The range of every key under `prefix`. */
export function prefixRange(prefix: string): { key: Buffer; range_end: Buffer } {
  const end = Buffer.from(prefix);
  end[end.length - 1]! += 1;
  return { key: Buffer.from(prefix), range_end: end };
}
