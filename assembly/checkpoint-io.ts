// Reading and writing the bytes of a checkpoint: every array is a u32
// element count and its raw bytes, every scalar an f64, read back in the
// order written, each count checked against the rebuilt network. The
// population and projection classes write their own state with these.

let buf = new StaticArray<u8>(1 << 16);
let len: i32 = 0;
let pos: i32 = 0;
let readLen: i32 = 0;
let readPtr: usize = 0;
let bad = false;

export function beginWrite(): void { len = 0; }
export function written(): i32 { return len; }
export function writtenPtr(): usize { return changetype<usize>(buf); }

export function beginRead(ptr: usize, n: i32): void {
  readPtr = ptr;
  readLen = n;
  pos = 0;
  bad = false;
}
export function fail(): void { bad = true; }
export function failed(): bool { return bad; }
// True when everything was read and nothing failed.
export function readAll(): bool { return !bad && pos == readLen; }

function reserve(n: i32): void {
  if (len + n <= buf.length) return;
  let cap = buf.length * 2;
  while (cap < len + n) cap *= 2;
  const b = new StaticArray<u8>(cap);
  memory.copy(changetype<usize>(b), changetype<usize>(buf), <usize>len);
  buf = b;
}

function wBytes(ptr: usize, bytes: i32): void {
  reserve(bytes);
  memory.copy(changetype<usize>(buf) + <usize>len, ptr, <usize>bytes);
  len += bytes;
}

export function wF64(x: f64): void {
  reserve(8);
  store<f64>(changetype<usize>(buf) + <usize>len, x);
  len += 8;
}

export function wU32(x: u32): void {
  reserve(4);
  store<u32>(changetype<usize>(buf) + <usize>len, x);
  len += 4;
}

export function wArr<T>(a: StaticArray<T>, n: i32 = -1): void {
  const count = n < 0 ? a.length : n;
  wU32(<u32>count);
  wBytes(changetype<usize>(a), count * sizeof<T>());
}

export function rF64(): f64 {
  if (pos + 8 > readLen) { bad = true; return 0; }
  const x = load<f64>(readPtr + <usize>pos);
  pos += 8;
  return x;
}

export function rU32(): u32 {
  if (pos + 4 > readLen) { bad = true; return 0; }
  const x = load<u32>(readPtr + <usize>pos);
  pos += 4;
  return x;
}

// The element count of the next array, without reading it.
export function peekCount(): i32 {
  return pos + 4 <= readLen ? <i32>load<u32>(readPtr + <usize>pos) : 0;
}

// Reads an array saved by wArr into `a`, which must have room (count <= length
// when `exact` is false, count == length otherwise). Returns the count.
export function rArr<T>(a: StaticArray<T>, exact: bool = true): i32 {
  const count = <i32>rU32();
  const bytes = count * sizeof<T>();
  if (bad || (exact ? count != a.length : count > a.length) || pos + bytes > readLen) { bad = true; return 0; }
  memory.copy(changetype<usize>(a), readPtr + <usize>pos, <usize>bytes);
  pos += bytes;
  return count;
}
