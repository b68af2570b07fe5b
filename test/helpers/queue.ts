/** Values that arrive as events (log lines, waits that start), taken in order by tests that await them. */
export class Queue<T> {
    private readonly arrived: T[] = [];
    private readonly takers: ((value: T) => void)[] = [];

    push(value: T): void {
        const taker = this.takers.shift();
        if (taker) {
            taker(value);
        } else {
            this.arrived.push(value);
        }
    }

    /** The next value, once it has arrived. */
    next(): Promise<T> {
        if (this.arrived.length > 0) {
            return Promise.resolve(this.arrived.shift() as T);
        }
        return new Promise((resolve) => this.takers.push(resolve));
    }

    /** The next value that `test` accepts; the ones before it are dropped. */
    async find(test: (value: T) => boolean): Promise<T> {
        for (;;) {
            const value = await this.next();
            if (test(value)) {
                return value;
            }
        }
    }

    /** The values that have arrived and were not taken yet, taken now. */
    drain(): T[] {
        return this.arrived.splice(0);
    }
}
