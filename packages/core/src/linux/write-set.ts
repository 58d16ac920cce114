/**
 * The words a transaction has written and their values, until it commits: an
 * open-addressing hash table in typed arrays, emptied in O(1) by a new stamp. A
 * transaction reads its own writes through it (every `r`), and most transactions write a
 * dozen words: a Map, cleared at each commit, grew and rehashed anew each time, and its
 * garbage kept V8's collector threads busy on the contended paths.
 *
 * Entries are kept in insertion order for the commit. The table doubles when half full;
 * a transaction writes at most LIMITS.log words (the redo log's size).
 */
const INITIAL_CAPACITY = 1 << 10;

export class WriteSet {
  #mask = INITIAL_CAPACITY - 1;
  #words = new Int32Array(INITIAL_CAPACITY);
  #values = new Int32Array(INITIAL_CAPACITY);
  /** A slot is in use when its stamp is the current one. */
  #stamps = new Uint32Array(INITIAL_CAPACITY);
  #stamp = 1;
  /** Slots in the order their words were first written. */
  #order = new Int32Array(INITIAL_CAPACITY >> 1);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  #slotOf(word: number): number {
    // Fibonacci hashing: consecutive words (an object's fields) spread over the table.
    let slot = (Math.imul(word, 0x9e3779b1) >>> 0) & this.#mask;
    while (this.#stamps[slot] === this.#stamp && this.#words[slot] !== word) slot = (slot + 1) & this.#mask;
    return slot;
  }

  /** The value written to `word`, or undefined if it was not written. */
  get(word: number): number | undefined {
    const slot = this.#slotOf(word);
    return this.#stamps[slot] === this.#stamp ? this.#values[slot] : undefined;
  }

  set(word: number, value: number): void {
    let slot = this.#slotOf(word);
    if (this.#stamps[slot] !== this.#stamp) {
      if (this.#size + 1 > this.#order.length) {
        this.#grow();
        slot = this.#slotOf(word);
      }
      this.#stamps[slot] = this.#stamp;
      this.#words[slot] = word;
      this.#order[this.#size++] = slot;
    }
    this.#values[slot] = value;
  }

  /** The i-th word written (0 <= i < size), and its value. */
  wordAt(i: number): number {
    return this.#words[this.#order[i]!]!;
  }
  valueAt(i: number): number {
    return this.#values[this.#order[i]!]!;
  }

  clear(): void {
    this.#size = 0;
    if (++this.#stamp === 0xffffffff) {
      this.#stamps.fill(0);
      this.#stamp = 1;
    }
  }

  #grow(): void {
    const words: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < this.#size; i++) {
      words.push(this.wordAt(i));
      values.push(this.valueAt(i));
    }
    const capacity = (this.#mask + 1) * 2;
    this.#mask = capacity - 1;
    this.#words = new Int32Array(capacity);
    this.#values = new Int32Array(capacity);
    this.#stamps = new Uint32Array(capacity);
    this.#stamp = 1;
    this.#order = new Int32Array(capacity >> 1);
    this.#size = 0;
    for (let i = 0; i < words.length; i++) this.set(words[i]!, values[i]!);
  }
}
