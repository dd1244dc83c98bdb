/*
 * tcp_echo_load: a neutral TCP load generator for echo servers (loopback only; bounded in time).
 *
 *   tcp_echo_load HOST PORT [-c CONNS] [-t SECONDS] [-s SIZE] [-H]
 *
 * Request mode (default): CONNS connections (epoll, one thread); each sends SIZE bytes, waits for
 * the SIZE-byte echo, and sends again, for SECONDS. Counts completed requests.
 * Hold mode (-H): opens CONNS connections, checks one echo on each, then holds them all open for
 * SECONDS (while the caller measures the server), then closes them.
 * Output: one JSON line: {"mode","conns","connected","size","seconds","requests","rps","errors"}.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct conn {
  int fd;
  int got;  /* bytes of the current echo received */
  int sent; /* bytes of the current request sent */
  int ok;
};

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: tcp_echo_load HOST PORT [-c CONNS] [-t SECONDS] [-s SIZE] [-H]\n");
    return 2;
  }
  const char *host = argv[1];
  int port = atoi(argv[2]);
  int nconn = 100, size = 64, hold = 0;
  double secs = 5;
  for (int i = 3; i < argc; i++) {
    if (!strcmp(argv[i], "-c") && i + 1 < argc) nconn = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-t") && i + 1 < argc) secs = atof(argv[++i]);
    else if (!strcmp(argv[i], "-s") && i + 1 < argc) size = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-H")) hold = 1;
    else { fprintf(stderr, "tcp_echo_load: unknown argument %s\n", argv[i]); return 2; }
  }
  if (secs <= 0 || secs > 120 || size < 1 || size > 4096 || nconn < 1 || nconn > 15000) {
    fprintf(stderr, "tcp_echo_load: out of bounds (t<=120 s, 1<=size<=4096, 1<=c<=15000)\n");
    return 2;
  }
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || (ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
    fprintf(stderr, "tcp_echo_load: HOST must be an IPv4 loopback literal\n");
    return 2;
  }
  char *req = malloc(size), *buf = malloc(65536);
  memset(req, 'x', size);
  struct conn *cs = calloc(nconn, sizeof *cs);
  int ep = epoll_create1(0);
  long errors = 0, requests = 0;
  int connected = 0;
  double t0 = now();
  for (int i = 0; i < nconn; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { errors++; cs[i].fd = -1; continue; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { errors++; close(fd); cs[i].fd = -1; continue; }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    cs[i].fd = fd;
    connected++;
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    if (write(fd, req, size) != size) errors++;
  }
  double start = now(), end = start + secs;
  int checked = 0;
  struct epoll_event evs[256];
  while (now() < end && !(hold && checked >= connected)) {
    int n = epoll_wait(ep, evs, 256, 100);
    for (int k = 0; k < n; k++) {
      struct conn *c = &cs[evs[k].data.u32];
      for (;;) {
        ssize_t r = read(c->fd, buf, 65536);
        if (r < 0) { if (errno != EAGAIN) { errors++; epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); } break; }
        if (r == 0) { errors++; epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); break; }
        c->got += r;
        while (c->got >= size) {
          c->got -= size;
          requests++;
          if (hold) { if (!c->ok) { c->ok = 1; checked++; } continue; }
          if (write(c->fd, req, size) != size) errors++;
        }
      }
    }
  }
  double el = now() - start;
  if (hold) {
    /* Every connection answered once: hold them open, then report. */
    fprintf(stderr, "held %d\n", checked);
    double until = now() + secs;
    while (now() < until) usleep(50000);
  }
  printf("{\"mode\":\"%s\",\"conns\":%d,\"connected\":%d,\"checked\":%d,\"size\":%d,\"seconds\":%.3f,\"requests\":%ld,\"rps\":%.0f,\"errors\":%ld,\"setup_s\":%.3f}\n",
         hold ? "hold" : "requests", nconn, connected, hold ? checked : connected, size, el, requests, hold ? 0 : requests / el, errors, start - t0);
  fflush(stdout);
  for (int i = 0; i < nconn; i++) if (cs[i].fd >= 0) close(cs[i].fd);
  return 0;
}
