// A C writer that waits for a go file, then writes a known workload through one family of
// system calls and keeps its own copy of every byte the kernel accepted (counted from each
// call's return value): all of them, and those that passed through its memory. Started gated,
// a capture attached before the go sees the whole workload, so capture, the writer's own copy
// and the real reader's copy can be compared whole, by hash.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWriter, type Destination, type Writer } from '../../helpers/writers';

const SOURCE = `
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static int all_fd, seen_fd, src_fd;
static long offset;

/* Keeps the bytes a call put on fd 1: in the full copy, and in the seen copy if they passed
   through this process's memory. */
static void keep(int seen, const char *p, ssize_t n) {
  if (n <= 0) return;
  write(all_fd, p, n);
  if (seen) write(seen_fd, p, n);
  offset += n;
}

/* Puts text in a memory file from which sendfile and splice copy it, unseen by the tracer.
   The pipe keeps references to the file's pages until read, so each text has its own place. */
static off_t staged;
static off_t stage(const char *text, int len) {
  pwrite(src_fd, text, len, staged);
  staged += len;
  return staged - len;
}

static void pipe_round(int n) {
  char a[64], b[64];
  int len = sprintf(a, "write %d\\n", n);
  keep(1, a, write(1, a, len));
  len = sprintf(a, "%d\\n", n);
  struct iovec iov[3] = {{"writev ", 7}, {a, len}, {"", 0}};
  char joined[80];
  ssize_t r = writev(1, iov, 3);
  sprintf(joined, "writev %s", a);
  keep(1, joined, r);
  len = sprintf(b, "pwrite64 %d\\n", n);
  keep(1, b, pwrite(1, b, len, offset)); /* ESPIPE on a pipe: nothing written */
  /* vmsplice lends the pages to the pipe: they must stay as they are until read, so each
     round's text has a place of its own. */
  static char lent[1 << 16];
  static int used;
  char *c = lent + used;
  len = sprintf(c, "vmsplice %d\\n", n);
  used += len;
  struct iovec v = {c, len};
  keep(1, c, vmsplice(1, &v, 1, 0));
  len = sprintf(b, "sendfile %d\\n", n);
  off_t off = stage(b, len);
  keep(0, b, sendfile(1, src_fd, &off, len));
  len = sprintf(b, "splice %d\\n", n);
  loff_t loff = stage(b, len);
  keep(0, b, splice(src_fd, &loff, 1, NULL, len, 0));
}

static void file_round(int n) {
  char a[64];
  int len = sprintf(a, "write %d\\n", n);
  keep(1, a, write(1, a, len));
  len = sprintf(a, "pwrite64 %d\\n", n);
  keep(1, a, pwrite(1, a, len, offset));
  len = sprintf(a, "%d\\n", n);
  struct iovec iov[2] = {{"pwritev ", 8}, {a, len}};
  char joined[80];
  sprintf(joined, "pwritev %s", a);
  keep(1, joined, pwritev(1, iov, 2, offset));
  iov[0] = (struct iovec){"writev ", 7};
  sprintf(joined, "writev %s", a);
  keep(1, joined, writev(1, iov, 2));
}

static void socket_round(int n) {
  char a[64];
  int len = sprintf(a, "write %d\\n", n);
  keep(1, a, write(1, a, len));
  len = sprintf(a, "sendto %d\\n", n);
  keep(1, a, sendto(1, a, len, 0, NULL, 0));
  len = sprintf(a, "%d\\n", n);
  struct iovec iov[2] = {{"sendmsg ", 8}, {a, len}};
  struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
  char joined[80];
  sprintf(joined, "sendmsg %s", a);
  keep(1, joined, sendmsg(1, &msg, 0));
}

/* Numbered 9-byte lines in 100,000-byte calls on a non-blocking fd 1: a full pipe gives short
   counts, then EAGAIN; the rest is sent again once poll says there is room. */
static void nonblock(long total) {
  static char block[100000];
  long n = 0, done = 0;
  int eagain = 0, shorts = 0;
  fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_NONBLOCK);
  while (done < total) {
    for (int i = 0; i < 100000; i += 9) sprintf(block + i, "%08ld\\n", n++);
    char *p = block;
    long left = 100000;
    while (left > 0) {
      ssize_t r = write(1, p, left);
      if (r < 0 && errno == EAGAIN) {
        eagain++;
        struct pollfd w = {1, POLLOUT, 0};
        poll(&w, 1, 100);
        continue;
      }
      if (r < left) shorts++;
      keep(1, p, r);
      p += r;
      left -= r;
    }
    done += 100000;
  }
  fprintf(stderr, "eagain %d short %d\\n", eagain, shorts);
}

int main(int argc, char **argv) {
  const char *mode = argv[1];
  all_fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  seen_fd = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  src_fd = memfd_create("staged", 0);
  int rounds = atoi(argv[5]);
  while (access(argv[2], F_OK) != 0) usleep(2000);
  if (strcmp(mode, "nonblock") == 0) nonblock(rounds);
  for (int n = 0; n < rounds && strcmp(mode, "nonblock") != 0; n++) {
    if (strcmp(mode, "pipe") == 0) pipe_round(n);
    else if (strcmp(mode, "file") == 0) file_round(n);
    else socket_round(n);
  }
  return 0;
}
`;

export type GatedMode = 'pipe' | 'file' | 'socket' | 'nonblock';

/** A gated writer, the folder of its copies, and the go that starts its workload. */
export interface GatedWriter {
  writer: Writer;
  dir: string;
  /** Lets it write. */
  go(): void;
  /** Every byte the kernel accepted on fd 1, as the writer kept it. */
  all(): Buffer;
  /** Those of them that passed through the writer's memory (not sendfile or splice). */
  seen(): Buffer;
  remove(): void;
}

/** Starts the writer in a mode, waiting for go; rounds is a count of rounds (or bytes). */
export async function startGated(
  mode: GatedMode,
  rounds: number,
  stdout: Destination,
  options: { paused?: boolean; dir?: string } = {},
): Promise<GatedWriter> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'fdscope-gated-'));
  const writer = await startWriter({
    language: 'c',
    source: SOURCE,
    args: [mode, join(dir, 'go'), join(dir, 'all'), join(dir, 'seen'), String(rounds)],
    stdout,
    paused: options.paused,
  });
  return {
    writer,
    dir,
    go: () => writeFileSync(join(dir, 'go'), ''),
    all: () => readFileSync(join(dir, 'all')),
    seen: () => readFileSync(join(dir, 'seen')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** sha256 of bytes, hex: compared instead of the bytes, so a failure prints two short lines. */
export function sha(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
