/**
 * The libc calls the Linux backend's process functions use (posix_spawn, signals
 * through pidfds, CPU affinity), declared through koffi. Kept apart from libc.ts, which
 * holds what the shared namespace needs; loaded on first use, on Linux only.
 */
import koffi from 'koffi';

export const POSIX_SPAWN_SETPGROUP = 0x02;
export const POSIX_SPAWN_SETSIGDEF = 0x04;
export const POSIX_SPAWN_SETSIGMASK = 0x08;
export const SIGKILL = 9;
export const O_RDWR = 2;
const SYS_PIDFD_SEND_SIGNAL = 424; // the same number on x86_64 and aarch64
/** Large enough for glibc's posix_spawn_file_actions_t (80 bytes), posix_spawnattr_t (336) and sigset_t (128). */
const OPAQUE_BYTES = 512;

function fn<T>(lib: ReturnType<typeof koffi.load>, prototype: string): T {
  return lib.func(prototype) as unknown as T;
}

export function loadProcessLibc() {
  const libc = koffi.load('libc.so.6');
  type Spawn = (pid: [number], path: string, actions: Buffer, attr: Buffer, argv: (string | null)[], envp: (string | null)[]) => number;
  const posix_spawn = fn<Spawn>(
    libc,
    'int posix_spawn(_Out_ int *pid, const char *path, void *file_actions, void *attrp, const char **argv, const char **envp)',
  );
  const posix_spawnp = fn<Spawn>(
    libc,
    'int posix_spawnp(_Out_ int *pid, const char *file, void *file_actions, void *attrp, const char **argv, const char **envp)',
  );
  const actionsInit = fn<(a: Buffer) => number>(libc, 'int posix_spawn_file_actions_init(void *file_actions)');
  const actionsDestroy = fn<(a: Buffer) => number>(libc, 'int posix_spawn_file_actions_destroy(void *file_actions)');
  const addDup2 = fn<(a: Buffer, fd: number, newfd: number) => number>(
    libc,
    'int posix_spawn_file_actions_adddup2(void *file_actions, int fd, int newfd)',
  );
  const addOpen = fn<(a: Buffer, fd: number, path: string, flags: number, mode: number) => number>(
    libc,
    'int posix_spawn_file_actions_addopen(void *file_actions, int fd, const char *path, int oflag, uint32_t mode)',
  );
  const addChdir = fn<(a: Buffer, path: string) => number>(
    libc,
    'int posix_spawn_file_actions_addchdir_np(void *file_actions, const char *path)',
  );
  const attrInit = fn<(a: Buffer) => number>(libc, 'int posix_spawnattr_init(void *attr)');
  const attrDestroy = fn<(a: Buffer) => number>(libc, 'int posix_spawnattr_destroy(void *attr)');
  const attrSetFlags = fn<(a: Buffer, flags: number) => number>(libc, 'int posix_spawnattr_setflags(void *attr, short flags)');
  const attrSetPgroup = fn<(a: Buffer, pgroup: number) => number>(libc, 'int posix_spawnattr_setpgroup(void *attr, int pgroup)');
  const attrSetSigdefault = fn<(a: Buffer, set: Buffer) => number>(
    libc,
    'int posix_spawnattr_setsigdefault(void *attr, const void *sigdefault)',
  );
  const attrSetSigmask = fn<(a: Buffer, set: Buffer) => number>(libc, 'int posix_spawnattr_setsigmask(void *attr, const void *sigmask)');
  const sigemptyset = fn<(set: Buffer) => number>(libc, 'int sigemptyset(void *set)');
  const sigfillset = fn<(set: Buffer) => number>(libc, 'int sigfillset(void *set)');
  const syscall = fn<(n: number, a1: number, a2: number, a3: null, a4: number) => number>(
    libc,
    'long syscall(long number, intptr_t a1, intptr_t a2, void *a3, uintptr_t a4)',
  );
  const schedGetaffinity = fn<(pid: number, size: number, mask: Uint8Array) => number>(
    libc,
    'int sched_getaffinity(int pid, size_t cpusetsize, _Out_ uint8_t *mask)',
  );
  const schedSetaffinity = fn<(pid: number, size: number, mask: Uint8Array) => number>(
    libc,
    'int sched_setaffinity(int pid, size_t cpusetsize, const uint8_t *mask)',
  );

  return {
    errno: () => koffi.errno(),
    /**
     * Starts `path` (searched in PATH when `search`), returning its pid or -errno. The
     * child gets default signal dispositions and an empty mask (Node ignores SIGPIPE,
     * and an ignored signal would stay ignored across exec), our fds 0-2 (Node marks
     * them close-on-exec; a dup2 onto itself clears that) or /dev/null for each.
     */
    spawn(
      path: string,
      search: boolean,
      argv: readonly string[],
      envp: readonly string[],
      options: { cwd: string | null; newGroup: boolean; nullStdio: boolean },
    ): number {
      const actions = Buffer.alloc(OPAQUE_BYTES);
      const attr = Buffer.alloc(OPAQUE_BYTES);
      const all = Buffer.alloc(OPAQUE_BYTES);
      const none = Buffer.alloc(OPAQUE_BYTES);
      actionsInit(actions);
      attrInit(attr);
      try {
        for (const fd of [0, 1, 2]) {
          if (options.nullStdio) addOpen(actions, fd, '/dev/null', O_RDWR, 0);
          else addDup2(actions, fd, fd);
        }
        if (options.cwd !== null) addChdir(actions, options.cwd);
        sigfillset(all);
        sigemptyset(none);
        attrSetSigdefault(attr, all);
        attrSetSigmask(attr, none);
        let flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
        if (options.newGroup) {
          flags |= POSIX_SPAWN_SETPGROUP;
          attrSetPgroup(attr, 0);
        }
        attrSetFlags(attr, flags);
        const pid: [number] = [0];
        const error = (search ? posix_spawnp : posix_spawn)(pid, path, actions, attr, [...argv, null], [...envp, null]);
        return error === 0 ? pid[0] : -error;
      } finally {
        actionsDestroy(actions);
        attrDestroy(attr);
      }
    },
    /** pidfd_send_signal(2): 0 or -errno. */
    pidfdSendSignal(pidfd: number, signal: number): number {
      return syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, signal, null, 0) === 0 ? 0 : -koffi.errno();
    },
    /** The CPU mask of a thread (pid = tid), 1024 CPUs wide; null on failure. */
    getAffinity(tid: number): Uint8Array | null {
      const mask = new Uint8Array(128);
      return schedGetaffinity(tid, mask.length, mask) === 0 ? mask : null;
    },
    /** 0 or -errno. */
    setAffinity(tid: number, mask: Uint8Array): number {
      return schedSetaffinity(tid, mask.length, mask) === 0 ? 0 : -koffi.errno();
    },
  };
}

export type ProcessLibc = ReturnType<typeof loadProcessLibc>;
