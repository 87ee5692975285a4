/**
 * The records waiting to be sent, in the order they were accepted (by id).
 * Taking the next one and adding a new one cost the same however long the
 * queue is; records that come back (a link dropped, "slow down") are merged
 * in at their place, without sorting the whole queue, and those newer than
 * all that waits (taken up after a restart, in order) go at its end.
 */
export class OrderedQueue<T extends { id: number }> {
  private items: T[] = [];
  /** index of the first item still waiting */
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as unknown as T;
    // Drop the taken slots now and then, so that memory follows the queue.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** A new record: its id is the highest yet. */
  push(item: T): void {
    this.items.push(item);
  }

  /** Records that come back, each at its place by id. */
  requeue(records: T[]): void {
    if (!records.length) return;
    const back = records.length === 1 ? records : [...records].sort((a, b) => a.id - b.id);
    if (!this.length || back[0].id > this.items[this.items.length - 1].id) {
      // All newer than what waits (records taken up one by one, in order, after a restart): at the end, whatever the length.
      for (const record of back) this.items.push(record);
      return;
    }
    const waiting = this.items.slice(this.head);
    const first = waiting[0];
    if (!first || back[back.length - 1].id < first.id) {
      this.items = [...back, ...waiting]; // the usual case: they are all older than what waits
    } else {
      const merged: T[] = [];
      let i = 0;
      let j = 0;
      while (i < back.length || j < waiting.length) {
        if (j >= waiting.length || (i < back.length && back[i].id < waiting[j].id)) merged.push(back[i++]);
        else merged.push(waiting[j++]);
      }
      this.items = merged;
    }
    this.head = 0;
  }

  /** Removes and returns the records `test` picks. */
  removeWhere(test: (item: T) => boolean): T[] {
    const kept: T[] = [];
    const removed: T[] = [];
    for (let i = this.head; i < this.items.length; i++) (test(this.items[i]) ? removed : kept).push(this.items[i]);
    if (removed.length) {
      this.items = kept;
      this.head = 0;
    }
    return removed;
  }

  /** Empties the queue; returns what waited, in order. */
  drain(): T[] {
    const all = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return all;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i];
  }
}
