// Output files are written under a temporary name in the same directory and
// renamed into place when complete: a reader never sees a torn file, and an
// interrupted run leaves the previous file (or none), never half of one.

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync, mkdirSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

let counter = 0;

function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const file = new AtomicFile(path);
  try {
    file.write(data);
    file.commit();
  } catch (e) {
    file.abort();
    throw e;
  }
}

/** A file written in pieces and published by commit(); abort() leaves no trace. */
export class AtomicFile {
  readonly path: string;
  private readonly temp: string;
  private fd: number | undefined;

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.temp = tempName(path);
    this.fd = openSync(this.temp, 'w');
  }

  write(data: string | Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.path} is already closed`);
    if (typeof data === 'string') writeSync(this.fd, data);
    else {
      let off = 0;
      while (off < data.length) off += writeSync(this.fd, data, off, data.length - off);
    }
  }

  commit(): void {
    if (this.fd === undefined) throw new Error(`${this.path} is already closed`);
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
    renameSync(this.temp, this.path);
  }

  abort(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    rmSync(this.temp, { force: true });
  }
}
