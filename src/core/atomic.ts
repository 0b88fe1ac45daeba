// Output files are written under a temporary name in the same directory and
// renamed into place when complete: a reader never sees a torn file, and an
// interrupted run leaves the previous file (or none), never half of one.
// Only regular files are ever replaced (a device or a directory at the path
// is refused), folders are made one level at a time (a path that cannot
// exist, under /proc say, fails at once), and the temporary files of runs
// that died are cleaned up by the next run in the folder.

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync, mkdirSync, statSync, lstatSync, readdirSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { HebbError, UsageError } from './errors.js';

let counter = 0;

/** Makes dir and its missing parents, one level at a time, or throws the first error (with its code). */
export function makeDir(dir: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(d).isDirectory();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      const up = dirname(d);
      if (up === d) throw e;
      missing.push(d);
      d = up;
      continue;
    }
    if (!isDir) throw Object.assign(new Error(`${d} is not a folder`), { code: 'ENOTDIR' });
    break;
  }
  for (const m of missing.reverse()) mkdirSync(m);
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied', EPERM: 'not permitted', EROFS: 'read-only file system', ENOTDIR: 'a part of the path is not a folder',
  EEXIST: 'a file is in the way', ENOENT: 'the path cannot be made there', ENOSPC: 'no space left on the device', EISDIR: 'it is a folder',
};

/** A sentence for a file system error. */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code ? `${REASONS[code] ?? (e as Error).message} (${code})` : String((e as Error).message ?? e);
}

/**
 * Checks, before any work, that files can be written into dir (made if
 * missing): a UsageError naming the option otherwise.
 */
export function checkWritableDir(dir: string, option: string): void {
  // Probe the nearest folder that exists, so a refused run leaves no empty folder behind.
  let existing = resolve(dir);
  for (;;) {
    let stat;
    try { stat = statSync(existing); } catch { stat = undefined; }
    if (stat) {
      if (!stat.isDirectory()) throw new UsageError(`cannot write into ${dir}: ${existing} is not a folder`, option);
      break;
    }
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  const probe = join(existing, `.hebb-probe.${process.pid}.tmp`);
  try {
    closeSync(openSync(probe, 'w'));
    rmSync(probe, { force: true });
  } catch (e) {
    throw new UsageError(`cannot write into ${dir}: ${fsReason(e)}`, option);
  }
}

/** Checks that a file can be written at path: its folder writable, nothing but a regular file there. */
export function checkWritableFile(path: string, option: string): void {
  const target = resolve(path);
  let existing;
  try { existing = lstatSync(target); } catch { existing = undefined; }
  if (existing && !existing.isFile()) throw new UsageError(`${target} is not a regular file: hebb replaces only regular files`, option);
  // Its temporary sibling (.NAME.PID.N.tmp) must fit a file system's 255 bytes too.
  if (Buffer.byteLength(basename(target)) > 200) throw new UsageError(`the file name is longer than 200 bytes (${Buffer.byteLength(basename(target))})`, option);
  checkWritableDir(dirname(target), option);
}

/** Removes the temporary files that runs which died (kill -9) left in dir. */
export function removeStaleTemps(dir: string): void {
  let names: string[];
  try { names = readdirSync(dir); } catch { return; }
  for (const name of names) {
    const m = /^\..+\.(\d+)\.\d+\.tmp$/.exec(name);
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    rmSync(join(dir, name), { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

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
  /** Bytes written so far. */
  bytes = 0;

  constructor(path: string) {
    this.path = path;
    makeDir(dirname(path));
    this.temp = tempName(path);
    this.fd = openSync(this.temp, 'w');
  }

  write(data: string | Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.path} is already closed`);
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    this.bytes += bytes.length;
  }

  commit(): void {
    if (this.fd === undefined) throw new Error(`${this.path} is already closed`);
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
    let existing;
    try { existing = lstatSync(this.path); } catch { existing = undefined; }
    if (existing && !existing.isFile()) {
      rmSync(this.temp, { force: true });
      throw new HebbError('HEBB_ERR_FILE', `${this.path} is not a regular file: hebb replaces only regular files`);
    }
    renameSync(this.temp, this.path);
    // Test hook: dies as kill -9 would, right after publishing this file (a set half published).
    if (process.env.HEBB_TEST_KILL_AFTER === basename(this.path)) process.kill(process.pid, 'SIGKILL');
  }

  abort(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    rmSync(this.temp, { force: true });
  }
}
