/** A FIFO queue whose entries can leave from anywhere in O(1) (an aborted awaiter leaves its place). */
export interface QueueEntry<T> {
  readonly value: T;
  /** @internal */ prev: QueueEntry<T> | null;
  /** @internal */ next: QueueEntry<T> | null;
  /** @internal */ queued: boolean;
}

export class AwaiterQueue<T> {
  #head: QueueEntry<T> | null = null;
  #tail: QueueEntry<T> | null = null;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(value: T): QueueEntry<T> {
    const entry: QueueEntry<T> = { value, prev: this.#tail, next: null, queued: true };
    if (this.#tail) this.#tail.next = entry;
    else this.#head = entry;
    this.#tail = entry;
    this.#length++;
    return entry;
  }

  shift(): T | undefined {
    const entry = this.#head;
    if (!entry) return undefined;
    this.remove(entry);
    return entry.value;
  }

  peek(): T | undefined {
    return this.#head?.value;
  }

  /** Removes the entry; false if it had already left. */
  remove(entry: QueueEntry<T>): boolean {
    if (!entry.queued) return false;
    entry.queued = false;
    if (entry.prev) entry.prev.next = entry.next;
    else this.#head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.#tail = entry.prev;
    entry.prev = entry.next = null;
    this.#length--;
    return true;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let e = this.#head; e; e = e.next) yield e.value;
  }
}
