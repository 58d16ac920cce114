/**
 * Opening the namespace's file and mapping it: the directory and file must be the
 * user's own and private, a new (or right-sized, all-zero) file is initialized under
 * flock, and anything else that is wrong is a NamespaceError that says what and where.
 *
 * The file must keep its size while it is mapped: a process that truncates it makes
 * every process that has it mapped die of SIGBUS at its next access (the kernel's rule
 * for a mapping past the end of its file). Only the user can do that, since the file is
 * private; nothing in this library ever shrinks it.
 */
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  constants as fsConstants,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { NamespaceError } from '../errors.js';
import { H, LAYOUT_VERSION, MAGIC, OFFSET } from './layout.js';
import { ENXIO, LOCK_EX, LOCK_UN, MAP_SHARED, PROT_READ, PROT_WRITE, SEEK_DATA, type Libc } from './libc.js';

/** The directory of this user's namespace: private to the user (0700). */
export function namespaceDirectory(uid: number): string {
  return process.env.WAITABLES_SHM_DIR ?? join('/dev/shm', `waitables-${uid}`);
}

export interface MappedRegion {
  readonly base: bigint;
  readonly buffer: ArrayBuffer;
  readonly file: string;
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

function where(dir: string): string {
  return process.env.WAITABLES_SHM_DIR === undefined ? dir : `${dir} (WAITABLES_SHM_DIR)`;
}

/**
 * Makes the directory if needed and checks that it is the user's and private. A
 * directory this user owns that others cannot enter but that lacks the owner's own
 * rights (made under a umask such as 0277) is repaired to 0700.
 */
function ensurePrivateDirectory(dir: string, uid: number): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if (code(error) === 'ENOENT')
      throw new NamespaceError(`cannot create the namespace directory ${where(dir)}: its parent ${dirname(dir)} does not exist`);
    if (code(error) !== 'EEXIST')
      throw new NamespaceError(`cannot create the namespace directory ${where(dir)}: ${code(error) ?? String(error)}`);
  }
  let st;
  try {
    st = lstatSync(dir);
  } catch (error) {
    throw new NamespaceError(`cannot read the namespace directory ${where(dir)}: ${code(error) ?? String(error)}`);
  }
  const ownDirectory = 'set WAITABLES_SHM_DIR to a directory of your own, mode 0700';
  if (!st.isDirectory()) throw new NamespaceError(`${where(dir)} is not a directory: remove it (rm '${dir}') or ${ownDirectory}`);
  if (st.uid !== uid) throw new NamespaceError(`${where(dir)} belongs to uid ${st.uid}, not to this user (uid ${uid}): ${ownDirectory}`);
  if ((st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw new NamespaceError(
      `${where(dir)} is open to other users (mode ${mode}, where 0700 is required): they could read or change the objects, ` +
        `so it is refused. Run: chmod 700 '${dir}' (or ${ownDirectory})`,
    );
  }
  if ((st.mode & 0o700) !== 0o700) chmodSync(dir, 0o700);
}

function openPrivateFile(file: string, uid: number): number {
  let fd: number;
  try {
    fd = openSync(file, fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_NOFOLLOW, 0o600);
  } catch (error) {
    if (code(error) !== 'EACCES') throw new NamespaceError(`cannot open the namespace file ${file}: ${code(error) ?? String(error)}`);
    // Made read-only under a restrictive umask by an earlier process of this user: repair if it is ours.
    try {
      const st = lstatSync(file);
      if (!st.isFile() || st.uid !== uid) throw error;
      chmodSync(file, 0o600);
      fd = openSync(file, fsConstants.O_RDWR | fsConstants.O_NOFOLLOW);
    } catch {
      throw new NamespaceError(`cannot open the namespace file ${file} for reading and writing (EACCES)`);
    }
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.uid !== uid)
      throw new NamespaceError(`${file} is not a file of uid ${uid}: remove it (rm '${file}') once no process uses it`);
    if ((st.mode & 0o077) !== 0)
      throw new NamespaceError(
        `${file} is open to other users (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}): run chmod 600 '${file}'`,
      );
    // A umask may have taken the owner's write right from a file this call created.
    if ((st.mode & 0o600) !== 0o600) fchmodSync(fd, 0o600);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/** The recovery step for a namespace file that cannot be used: its objects are lost with it. */
export function recreate(file: string): string {
  return (
    `Stop every process that uses waitables as this user (fuser -v '${file}' lists them), ` +
    `then delete the file (rm '${file}'); the next process creates it anew`
  );
}

/** Whether the header is all zero: a file sized by a process that died before writing it. */
function headerIsBlank(i32: Int32Array): boolean {
  for (let w = 0; w <= H.ready; w++) if (i32[w] !== 0) return false;
  return true;
}

const PAGE_BYTES = 4096;

/**
 * Whether everything after the header is zero. A file only sized (ftruncate) is one hole,
 * and nobody reads or writes past the header before writing it, so the data pages tell
 * (SEEK_DATA): only where there are some is the memory read, to be sure.
 */
function restIsBlank(libc: Libc, fd: number, i32: Int32Array): boolean {
  const firstPageWords = PAGE_BYTES / 4;
  for (let w = H.ready + 1; w < firstPageWords; w++) if (i32[w] !== 0) return false;
  const data = libc.lseek(fd, PAGE_BYTES, SEEK_DATA);
  if (data === -ENXIO) return true; // no data past the first page
  const from = data >= 0 ? Math.floor(data / 4) : firstPageWords;
  for (let w = from; w < i32.length; w++) if (i32[w] !== 0) return false;
  return true;
}

/** Opens (creating and initializing if needed) and maps this user's namespace. */
export function mapRegion(libc: Libc, uid: number): MappedRegion {
  const dir = namespaceDirectory(uid);
  ensurePrivateDirectory(dir, uid);
  const file = join(dir, `namespace-v${LAYOUT_VERSION}`);
  const fd = openPrivateFile(file, uid);
  try {
    // flock orders the first initialization between processes; the kernel drops it if we die.
    libc.flock(fd, LOCK_EX);
    try {
      const size = fstatSync(fd).size;
      if (size === 0) ftruncateSync(fd, OFFSET.sizeBytes);
      else if (size !== OFFSET.sizeBytes)
        throw new NamespaceError(
          `${file} has ${size} bytes where layout version ${LAYOUT_VERSION} has ${OFFSET.sizeBytes}: ${recreate(file)}`,
        );
      const pointer = libc.mmap(null, OFFSET.sizeBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (libc.address(pointer) === 0xffffffffffffffffn) throw new NamespaceError(`mmap of ${file} failed (errno ${libc.errno()})`);
      const buffer = libc.view(pointer, OFFSET.sizeBytes);
      const i32 = new Int32Array(buffer, 0, OFFSET.words);
      if (headerIsBlank(i32)) {
        // New, or sized by a process that died before the header was written: every table is zero, which is empty.
        // A blank header over tables in use is damage: initializing it would build on live state.
        if (!restIsBlank(libc, fd, i32)) {
          throw new NamespaceError(`${file} is damaged: its header is zero but its tables are in use. ${recreate(file)}`);
        }
        i32[H.magic] = MAGIC;
        i32[H.version] = LAYOUT_VERSION;
        i32[H.sizeBytes] = OFFSET.sizeBytes;
        Atomics.store(i32, H.ready, 1);
      }
      validateHeader(i32, file);
      return { base: libc.address(pointer), buffer, file };
    } finally {
      libc.flock(fd, LOCK_UN);
    }
  } finally {
    closeSync(fd);
  }
}

function validateHeader(h: Int32Array, file: string): void {
  if (h[H.magic] !== MAGIC) throw new NamespaceError(`${file} is not a waitables namespace (bad magic number)`);
  if (h[H.version] !== LAYOUT_VERSION)
    throw new NamespaceError(`${file} has layout version ${h[H.version]}; this library uses version ${LAYOUT_VERSION}`);
  if (h[H.sizeBytes] !== OFFSET.sizeBytes || Atomics.load(h, H.ready) !== 1)
    throw new NamespaceError(`${file} is damaged (header). ${recreate(file)}`);
}
