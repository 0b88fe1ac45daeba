// Indexed binary min-heap of a population's neurons, ordered by each neuron's
// next event time (key[j], ms; +Infinity when none is due). It is the timed
// part of the scheduler: Poisson and spike-source neurons keep their next
// spike here, lif_delta neurons their predicted threshold crossing. Every
// neuron has exactly one entry, so the heap never grows and never holds
// stale entries; a new key is one sift.

export class IndexedHeap {
  ids: StaticArray<i32>;   // heap slot -> neuron
  pos: StaticArray<i32>;   // neuron -> heap slot
  key: StaticArray<f64>;   // neuron -> next event time (ms)
  n: i32;

  constructor(n: i32) {
    this.n = n;
    this.ids = new StaticArray<i32>(n);
    this.pos = new StaticArray<i32>(n);
    this.key = new StaticArray<f64>(n);
    for (let j = 0; j < n; j++) {
      this.ids[j] = j;
      this.pos[j] = j;
      this.key[j] = Infinity;
    }
  }

  // Restores heap order after keys were written directly (O(n)).
  heapify(): void {
    for (let s = (this.n >> 1) - 1; s >= 0; s--) this.siftDown(s);
  }

  @inline topId(): i32 { return unchecked(this.ids[0]); }
  @inline topKey(): f64 { return this.n > 0 ? unchecked(this.key[unchecked(this.ids[0])]) : Infinity; }

  // Sets the key of neuron j and moves it to its place.
  update(j: i32, k: f64): void {
    const old = this.key[j];
    this.key[j] = k;
    const s = this.pos[j];
    if (k < old) this.siftUp(s);
    else if (k > old) this.siftDown(s);
  }

  // Ties are broken by neuron index so that the order of events is a
  // function of the keys alone, never of the history of the heap.
  @inline private less(a: i32, b: i32): bool {
    const ka = unchecked(this.key[a]), kb = unchecked(this.key[b]);
    return ka < kb || (ka == kb && a < b);
  }

  private siftUp(s: i32): void {
    const ids = this.ids, pos = this.pos;
    const j = ids[s];
    while (s > 0) {
      const parent = (s - 1) >> 1;
      const pj = ids[parent];
      if (!this.less(j, pj)) break;
      ids[s] = pj;
      pos[pj] = s;
      s = parent;
    }
    ids[s] = j;
    pos[j] = s;
  }

  private siftDown(s: i32): void {
    const ids = this.ids, pos = this.pos, n = this.n;
    const j = ids[s];
    for (;;) {
      let c = 2 * s + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(ids[c + 1], ids[c])) c++;
      const cj = ids[c];
      if (!this.less(cj, j)) break;
      ids[s] = cj;
      pos[cj] = s;
      s = c;
    }
    ids[s] = j;
    pos[j] = s;
  }
}
