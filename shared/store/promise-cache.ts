/**
 * What a process keeps of content that never changes (pages named by their hash, a cycle revision's
 * batches): at most `size` reads by key, the oldest dropped first; a failed read is dropped, so the next
 * call reads again.
 */
export class PromiseCache<T> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly size: number) {}

  get(key: string, read: () => Promise<T>): Promise<T> {
    const cached = this.entries.get(key);
    if (cached) return cached;
    const reading = read();
    if (this.entries.size >= this.size) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, reading);
    reading.catch(() => this.entries.delete(key));
    return reading;
  }
}
