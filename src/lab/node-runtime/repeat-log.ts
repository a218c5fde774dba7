/**
 * Logging a failure that repeats every ~2 s (an unreachable apiserver or etcd) without filling a thousand log
 * files: the first occurrence of a message is logged, then one line per `every` repeats saying how many there were.
 * A different message, or `reset()` after a success, starts over.
 */
export class RepeatedLog {
  private last: string | undefined;
  private count = 0;

  constructor(
    private readonly write: (message: string) => void,
    private readonly every = 15,
  ) {}

  log(message: string): void {
    if (message !== this.last) {
      this.last = message;
      this.count = 1;
      this.write(message);
      return;
    }
    this.count++;
    if (this.count % this.every === 0) this.write(`${message} (repeated ${this.count} times)`);
  }

  /** The failure is over; returns how many times it happened (0 when none was logged). */
  reset(): number {
    const n = this.last === undefined ? 0 : this.count;
    this.last = undefined;
    this.count = 0;
    return n;
  }
}
