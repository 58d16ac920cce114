/**
 * Every libc function and system call the Linux backend uses, declared through koffi
 * in one place. Loaded on first use, on Linux only.
 */
import koffi from 'koffi';

// x86_64 and aarch64 system call numbers (the backend checks the architecture).
const SYSCALLS = {
  x64: { futex: 202, gettid: 186, pidfd_open: 434 },
  arm64: { futex: 98, gettid: 178, pidfd_open: 434 },
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
    /** A pidfd for `pid`, or -errno. */
    pidfdOpen(pid: number): number {
      const fd = syscall(numbers.pidfd_open, pid, 0, 0, null, 0, 0);
      return fd >= 0 ? fd : -koffi.errno();
    },
    mmap,
    flock,
    getuid,
    poll,
    waitid,
    close,
  };
}

export type Libc = ReturnType<typeof loadLibc>;
