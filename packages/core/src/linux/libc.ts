/**
 * Every libc function and system call the Linux backend uses, declared through koffi
 * in one place. Loaded on first use, on Linux only.
 */
import koffi from 'koffi';

// x86_64 and aarch64 system call numbers (the backend checks the architecture).
const SYSCALLS = {
  x64: { futex: 202, gettid: 186, pidfd_open: 434, get_robust_list: 274, futex_waitv: 449 },
  arm64: { futex: 98, gettid: 178, pidfd_open: 434, get_robust_list: 100, futex_waitv: 449 },
} as const;

export const FUTEX_WAIT = 0;
export const FUTEX_WAKE = 1;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;
export const LOCK_EX = 2;
export const LOCK_UN = 8;
export const POLLIN = 1;
export const P_PIDFD = 3;
export const WEXITED = 4;
export const WNOHANG = 1;
export const WNOWAIT = 0x01000000;
export const ETIMEDOUT = 110;
export const EAGAIN = 11;
export const EINTR = 4;
export const ESRCH = 3;
export const ENXIO = 6;
/** lseek(2) whence: the next offset at or after the given one that holds data (not a hole). */
export const SEEK_DATA = 3;
/** futex_waitv(2): a 32-bit futex word (shared: no FUTEX2_PRIVATE). */
export const FUTEX2_SIZE_U32 = 0x02;
export const CLOCK_MONOTONIC = 1;

function fn<T>(lib: ReturnType<typeof koffi.load>, prototype: string): T {
  return lib.func(prototype) as unknown as T;
}

/** Loads libc and declares the calls. */
export function loadLibc() {
  const numbers = SYSCALLS[process.arch as keyof typeof SYSCALLS];
  if (!numbers) throw new Error(`@waitables/core: the Linux backend supports x64 and arm64, not ${process.arch}`);
  const libc = koffi.load('libc.so.6');
  // syscall(2) is variadic; every argument we pass is an integer or a pointer, which a
  // fixed prototype passes in the same registers.
  const syscall = fn<(n: number, a1: bigint | number, a2: number, a3: number, a4: BigInt64Array | null, a5: number, a6: number) => number>(
    libc,
    'long syscall(long number, uintptr_t a1, intptr_t a2, intptr_t a3, void *a4, uintptr_t a5, intptr_t a6)',
  );
  const mmap = fn<(addr: null, length: number, prot: number, flags: number, fd: number, offset: number) => unknown>(
    libc,
    'void *mmap(void *addr, size_t length, int prot, int flags, int fd, intptr_t offset)',
  );
  const flock = fn<(fd: number, operation: number) => number>(libc, 'int flock(int fd, int operation)');
  const getuid = fn<() => number>(libc, 'uint32_t getuid()');
  const poll = fn<(fds: Int32Array, nfds: number, timeout: number) => number>(libc, 'int poll(void *fds, unsigned long nfds, int timeout)');
  const waitid = fn<(idtype: number, id: number, infop: Int32Array, options: number) => number>(
    libc,
    'int waitid(int idtype, uint32_t id, void *infop, int options)',
  );
  const close = fn<(fd: number) => number>(libc, 'int close(int fd)');
  const mkfifo = fn<(path: string, mode: number) => number>(libc, 'int mkfifo(const char *path, uint32_t mode)');
  const lseek = fn<(fd: number, offset: number, whence: number) => number>(libc, 'intptr_t lseek(int fd, intptr_t offset, int whence)');
  // The same syscall(2) with the argument types of futex_waitv and get_robust_list.
  const syscallWaitv = fn<
    (n: number, waiters: BigInt64Array, count: number, flags: number, timeout: BigInt64Array, clock: number) => number
  >(libc, 'long syscall(long number, void *waiters, uint32_t count, uint32_t flags, void *timeout, int clockid)');
  const syscallRobust = fn<(n: number, pid: number, head: unknown[], length: number[]) => number>(
    libc,
    'long syscall(long number, int pid, _Out_ void **head, _Out_ size_t *length)',
  );

  return {
    numbers,
    errno: () => koffi.errno(),
    address: (pointer: unknown) => koffi.address(pointer),
    view: (pointer: unknown, length: number) => koffi.view(pointer, length),
    /** FUTEX_WAIT (shared, not private: other processes wait on the same words). Returns 0, or -errno. */
    futexWait(address: bigint, expected: number, timeout: BigInt64Array | null): number {
      return syscall(numbers.futex, address, FUTEX_WAIT, expected, timeout, 0, 0) === 0 ? 0 : -koffi.errno();
    },
    futexWake(address: bigint, count: number): number {
      return syscall(numbers.futex, address, FUTEX_WAKE, count, null, 0, 0);
    },
    gettid: () => syscall(numbers.gettid, 0, 0, 0, null, 0, 0),
    /**
     * futex_waitv(2): sleeps until one of the words (triples of value, address, flags in
     * `waiters`) is woken or differs, or until `deadline` (CLOCK_MONOTONIC, absolute).
     * Returns the index of the word woken, or -errno (EAGAIN: a word differed).
     */
    futexWaitv(waiters: BigInt64Array, count: number, deadline: BigInt64Array): number {
      const r = syscallWaitv(numbers.futex_waitv, waiters, count, 0, deadline, CLOCK_MONOTONIC);
      return r >= 0 ? r : -koffi.errno();
    },
    /** The calling thread's robust futex list head (glibc's, in its thread control block), or null. */
    robustListHead(): { head: unknown; length: number } | null {
      const head: unknown[] = [null];
      const length: number[] = [0];
      if (syscallRobust(numbers.get_robust_list, 0, head, length) !== 0 || head[0] === null) return null;
      return { head: head[0], length: Number(length[0]) };
    },
    /** A pidfd for `pid`, or -errno. */
    pidfdOpen(pid: number): number {
      const fd = syscall(numbers.pidfd_open, pid, 0, 0, null, 0, 0);
      return fd >= 0 ? fd : -koffi.errno();
    },
    /** lseek(2): the new offset, or -errno (SEEK_DATA past the last data: -ENXIO). */
    lseek(fd: number, offset: number, whence: number): number {
      const r = lseek(fd, offset, whence);
      return r >= 0 ? r : -koffi.errno();
    },
    mmap,
    flock,
    getuid,
    poll,
    waitid,
    close,
    mkfifo,
  };
}

export type Libc = ReturnType<typeof loadLibc>;
