// Named scratch matrices for a layer's passes: each at least B rows, all
// freed and made again when a larger batch comes (views into the old ones
// would be stale then, so a pass asks for its buffers before taking views).

import { Mat, type Dense } from '../kernel/dense.js';

export class Scratch {
  private cap = 0;
  private bufs: Record<string, Mat> = {};

  constructor(private readonly dense: Dense) {}

  /** The matrix `name` (cols columns) seen as B rows. */
  get(name: string, B: number, cols: number): Mat {
    if (B > this.cap) {
      for (const m of Object.values(this.bufs)) m.free();
      this.bufs = {};
      this.cap = B;
    }
    const m = (this.bufs[name] ??= this.dense.mat(this.cap, cols));
    return new Mat(this.dense, m.ptr, B, cols);
  }
}
