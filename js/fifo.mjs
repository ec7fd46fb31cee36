// @ts-check
// A first-in, first-out queue that takes from its head in time proportional to what it takes.
// An array's shift() and splice(0, n) copy the rest of it once it is large (V8 moves the start
// of only small arrays in place), so a log with many calls queued at once took time quadratic
// in their number: 20,000 appends alternating with stats() spent half their time there.

/** @template T */
export class Fifo {
  /** @type {(T | undefined)[]} */
  #items = [];
  #head = 0;

  /** @param {T[]} [items] */
  constructor(items = []) {
    this.#items = items.slice();
  }

  /** Items queued. */
  get length() {
    return this.#items.length - this.#head;
  }

  /** @param {T} item */
  push(item) {
    this.#items.push(item);
  }

  /**
   * The `i`-th item from the head, or undefined past the tail.
   * @param {number} i
   * @returns {T | undefined}
   */
  at(i) {
    return i < this.length ? this.#items[this.#head + i] : undefined;
  }

  /**
   * Takes the first `n` items out (fewer if fewer are queued), in order.
   * @param {number} n
   * @returns {T[]}
   */
  take(n) {
    const end = this.#head + Math.min(n, this.length);
    const out = /** @type {T[]} */ (this.#items.slice(this.#head, end));
    // Taken items are let go at once, not when the array is next compacted.
    this.#items.fill(undefined, this.#head, end);
    this.#head = end;
    this.#compact();
    return out;
  }

  /** Takes the head item out. */
  shift() {
    return this.take(1)[0];
  }

  /**
   * Takes out every item `keep` does not hold for, in order; the rest stay, in order.
   * @param {(item: T) => boolean} keep
   * @returns {T[]}
   */
  removeUnless(keep) {
    const live = /** @type {T[]} */ (this.#items.slice(this.#head));
    this.#items = live.filter(keep);
    this.#head = 0;
    return live.filter((item) => !keep(item));
  }

  /** Drops the taken slots once they are most of the array, so it never holds more than twice the queue. */
  #compact() {
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
