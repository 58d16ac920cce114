/*
 * C baselines for the bench (scenario c-baselines): the same mechanisms as waitables
 * uses, without it, to tell how far we are from the limit on this machine.
 *
 *   baselines flock FILE MS   lock + unlock pairs of flock(2) on FILE for MS ms; prints the count
 *   baselines fifo FILE       one process of a strict-FIFO lock on futexes in FILE (a ticket
 *                             lock: take a ticket, sleep until it is served, serve the next
 *                             and wake the sleepers), through the bench's start barrier
 *                             (bench/lib/start-barrier.mjs): prints "ready", reads
 *                             "go WARM START END" (CLOCK_MONOTONIC ms), holds the lock as often as
 *                             it can from START to END, and prints how many times it did with
 *                             its CPU time (µs) and context switches over that window
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long futex(atomic_uint *word, int op, unsigned value) {
  return syscall(SYS_futex, word, op, value, NULL, NULL, 0);
}

/* The barrier: "ready", then "go WARM START END"; sleeps until WARM (the uncounted
   warm-up, as for the Node contenders), returns START and END. */
static void start_together(double *start, double *end) {
  printf("ready\n");
  fflush(stdout);
  double warm;
  if (scanf(" go %lf %lf %lf", &warm, start, end) != 3) exit(3);
  double wait = warm - now_ms();
  if (wait > 0) {
    struct timespec ts = {(time_t)(wait / 1e3), (long)((wait - (time_t)(wait / 1e3) * 1e3) * 1e6)};
    nanosleep(&ts, NULL);
  }
}

static struct rusage usage_at_start;

int main(int argc, char **argv) {
  int fifo = argc == 3 && strcmp(argv[1], "fifo") == 0;
  if (!fifo && argc != 4) return 2;
  double until = fifo ? 0 : now_ms() + atof(argv[3]);
  long count = 0;
  int fd = open(argv[2], O_RDWR | O_CREAT, 0600);
  if (fd < 0) return perror("open"), 1;
  if (strcmp(argv[1], "flock") == 0) {
    while (now_ms() < until)
      for (int i = 0; i < 1000; i++, count++) flock(fd, LOCK_EX), flock(fd, LOCK_UN);
  } else if (strcmp(argv[1], "fifo") == 0) {
    if (ftruncate(fd, 4096) != 0) return perror("ftruncate"), 1;
    atomic_uint *words = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (words == MAP_FAILED) return perror("mmap"), 1;
    atomic_uint *next = &words[0], *serving = &words[16];
    double start;
    start_together(&start, &until);
    int counting = 0;
    for (double now; (now = now_ms()) < until;) {
      if (!counting && now >= start) counting = 1, getrusage(RUSAGE_SELF, &usage_at_start);
      unsigned ticket = atomic_fetch_add(next, 1);
      for (unsigned s; (s = atomic_load(serving)) != ticket;) futex(serving, FUTEX_WAIT, s);
      if (counting) count++; /* the critical section */
      atomic_fetch_add(serving, 1);
      futex(serving, FUTEX_WAKE, INT_MAX);
    }
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    long cpu = (u.ru_utime.tv_sec - usage_at_start.ru_utime.tv_sec + u.ru_stime.tv_sec - usage_at_start.ru_stime.tv_sec) * 1000000L +
               (u.ru_utime.tv_usec - usage_at_start.ru_utime.tv_usec + u.ru_stime.tv_usec - usage_at_start.ru_stime.tv_usec);
    printf("%ld %ld %ld %ld\n", count, cpu, u.ru_nvcsw - usage_at_start.ru_nvcsw, u.ru_nivcsw - usage_at_start.ru_nivcsw);
    return 0;
  } else {
    return 2;
  }
  printf("%ld\n", count);
  return 0;
}
