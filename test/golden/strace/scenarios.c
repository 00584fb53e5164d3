/* The golden scenarios' C writer: one run per scenario name, each exercising strace's formats. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

static void calls(const char *dir) {
  /* Every byte value, then text that looks like strace's own marks. */
  unsigned char all[256];
  for (int i = 0; i < 256; i++) all[i] = (unsigned char)i;
  write(1, all, sizeof all);
  const char *tricky = "dots ... \"...\" = 5) <unfinished ...> \\x41 \\\\ end\n";
  write(1, tricky, strlen(tricky));
  struct iovec iov[3] = {{"one ", 4}, {"two\t", 4}, {"three\n", 6}};
  writev(1, iov, 3);
  write(1, "", 0);
  write(77, "bad fd\n", 7);
  /* A file whose name holds what -y output must escape or survive: < > ( , and a newline. */
  char path[512];
  snprintf(path, sizeof path, "%s/we<ir>d (name), a\nb", dir);
  int f = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  pwrite(f, "pwrite\n", 7, 100);
  pwritev(f, iov, 2, 7);
  pwritev2(f, iov, 3, -1, 0);
  dup2(f, 5);
  write(5, "to five\n", 8);
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  send(sv[0], "sendto\n", 7, 0);
  struct msghdr m = {0};
  m.msg_iov = iov;
  m.msg_iovlen = 3;
  sendmsg(sv[0], &m, 0);
  int d = socket(AF_UNIX, SOCK_DGRAM, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s/sock \"x\" msg_iov=[", dir);
  int srv = socket(AF_UNIX, SOCK_DGRAM, 0);
  bind(srv, (struct sockaddr *)&addr, sizeof addr);
  m.msg_name = &addr;
  m.msg_namelen = sizeof addr;
  sendmsg(d, &m, 0);
  sendto(d, "dgram\n", 6, 0, (struct sockaddr *)&addr, sizeof addr);
  int p[2];
  pipe(p);
  vmsplice(p[1], iov, 2, 0);
  splice(p[0], NULL, 1, NULL, 8, 0);
  int src = open(path, O_RDONLY);
  sendfile(1, src, NULL, 7);
  unlink(addr.sun_path);
  unlink(path);
  write(1, "bye\n", 4);
}

static void *thread(void *arg) {
  long k = (long)arg;
  char line[64];
  for (int n = 0; n < 300; n++) {
    int len = snprintf(line, sizeof line, "T%ld %d\n", k, n);
    write(1, line, len);
  }
  return NULL;
}

static void threads(void) {
  pthread_t t[4];
  for (long k = 0; k < 4; k++) pthread_create(&t[k], NULL, thread, (void *)k);
  for (int k = 0; k < 4; k++) pthread_join(t[k], NULL);
}

static void nonblock(void) {
  /* The recorder does not read until this exits: the pipe fills, writes come back short or
     with EAGAIN, and what was written is kept whole. */
  fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_NONBLOCK);
  static char buf[20000];
  long n = 0, written = 0;
  for (int round = 0; round < 8; round++) {
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = 'a' + (n++ % 26);
    ssize_t r = write(1, buf, sizeof buf);
    if (r > 0) written += r;
    n = written;
  }
}

static void big(void) {
  static char buf[65536];
  for (int i = 0; i < 65536; i++) buf[i] = 'A' + i % 26;
  buf[16400] = '\n';
  write(1, buf, 16401);
  for (int i = 0; i < 2; i++) write(1, buf, 65536);
  write(1, "\n", 1);
}

static void killed(void) {
  write(1, "about to die\n", 13);
  kill(getpid(), SIGKILL);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  if (!strcmp(argv[1], "calls")) calls(argv[2]);
  else if (!strcmp(argv[1], "threads")) threads();
  else if (!strcmp(argv[1], "nonblock")) nonblock();
  else if (!strcmp(argv[1], "big")) big();
  else if (!strcmp(argv[1], "killed")) killed();
  return 3;
}
