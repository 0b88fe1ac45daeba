// Benchmark references only (npm run bench), not used by the simulator: the
// plain WASM Ising sweep the issue names as the bar, with a precomputed
// heat-bath acceptance table and a xorshift32 generator (fast, but not the
// counter-based, reproducible-anywhere Philox the engine draws from).

let spins = new StaticArray<i8>(0);
let refTable = new StaticArray<u32>(5);

export function referenceIsingInit(L: i32, T: f64, seed: u32): void {
  const n = L * L;
  spins = new StaticArray<i8>(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    spins[i] = (x & 1) != 0 ? 1 : -1;
  }
  for (let k = 0; k < 5; k++) {
    const p = 1.0 / (1.0 + Math.exp(-2.0 * <f64>(2 * k - 4) / T));
    refTable[k] = <u32>Math.min(4294967295.0, Math.floor(p * 4294967296.0));
  }
}

// Typewriter heat-bath sweeps; returns the magnetisation sum.
export function referenceIsingSweeps(L: i32, sweeps: i32, seed: u32): i32 {
  const n = L * L;
  const s = changetype<usize>(spins);
  const table = changetype<usize>(refTable);
  let x = seed | 1;
  for (let w = 0; w < sweeps; w++) {
    for (let y = 0; y < L; y++) {
      const row = y * L, up = (y == 0 ? n - L : row - L), down = (y == L - 1 ? 0 : row + L);
      for (let xx = 0; xx < L; xx++) {
        const i = row + xx;
        const left = select<i32>(row + L - 1, i - 1, xx == 0);
        const right = select<i32>(row, i + 1, xx == L - 1);
        const sum = <i32>load<i8>(s + <usize>(up + xx)) + <i32>load<i8>(s + <usize>(down + xx))
          + <i32>load<i8>(s + <usize>left) + <i32>load<i8>(s + <usize>right);
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        store<i8>(s + <usize>i, <i8>((<i32>(x < load<u32>(table + (<usize>((sum + 4) >> 1) << 2))) << 1) - 1));
      }
    }
  }
  let m = 0;
  for (let i = 0; i < n; i++) m += <i32>load<i8>(s + <usize>i);
  return m;
}
