/*
 * udp_pingpong: a neutral UDP load generator for echo servers (loopback only; bounded in time).
 *
 *   udp_pingpong HOST PORT [-n INFLIGHT] [-t SECONDS] [-s SIZE] [-l]
 *
 * Throughput mode (default): keeps INFLIGHT requests outstanding on one connected socket, receiving
 * replies with recvmmsg and refilling the window with sendmmsg, so the client costs little per
 * request. A window slot that gets no reply within 200 ms is re-sent (counted as "timeouts").
 * Latency mode (-l): one request in flight; every round-trip time is kept and percentiles printed.
 * Payload: SIZE bytes of ASCII (valid UTF-8, so the notes' Python server can decode it).
 * Output: one JSON line: {"mode","inflight","size","seconds","replies","rps","timeouts",
 * "p50_us","p90_us","p99_us","max_us"} (percentiles in latency mode only).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_SAMPLES 4000000

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: udp_pingpong HOST PORT [-n INFLIGHT] [-t SECONDS] [-s SIZE] [-l]\n");
    return 2;
  }
  const char *host = argv[1];
  int port = atoi(argv[2]);
  int inflight = 32, size = 64, latency = 0;
  double secs = 5;
  for (int i = 3; i < argc; i++) {
    if (!strcmp(argv[i], "-n") && i + 1 < argc) inflight = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-t") && i + 1 < argc) secs = atof(argv[++i]);
    else if (!strcmp(argv[i], "-s") && i + 1 < argc) size = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-l")) latency = 1;
    else { fprintf(stderr, "udp_pingpong: unknown argument %s\n", argv[i]); return 2; }
  }
  if (secs <= 0 || secs > 120 || size < 1 || size > 1400 || inflight < 1 || inflight > 4096) {
    fprintf(stderr, "udp_pingpong: out of bounds (t<=120 s, 1<=size<=1400, 1<=n<=4096)\n");
    return 2;
  }
  if (latency) inflight = 1;
  struct sockaddr_storage ss;
  socklen_t sl;
  memset(&ss, 0, sizeof ss);
  struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
  if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
    s4->sin_family = AF_INET; s4->sin_port = htons(port); sl = sizeof *s4;
    if ((ntohl(s4->sin_addr.s_addr) >> 24) != 127) { fprintf(stderr, "udp_pingpong: loopback only\n"); return 2; }
  } else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
    s6->sin6_family = AF_INET6; s6->sin6_port = htons(port); sl = sizeof *s6;
    if (!IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr)) { fprintf(stderr, "udp_pingpong: loopback only\n"); return 2; }
  } else { fprintf(stderr, "udp_pingpong: HOST must be an IP literal\n"); return 2; }
  int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) < 0) { perror("udp_pingpong: socket/connect"); return 1; }
  int buf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  struct timeval tv = {0, 200000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

  static char out[BATCH][1500], in[BATCH][1500];
  struct iovec oiov[BATCH], iiov[BATCH];
  struct mmsghdr omsg[BATCH], imsg[BATCH];
  memset(omsg, 0, sizeof omsg);
  memset(imsg, 0, sizeof imsg);
  for (int i = 0; i < BATCH; i++) {
    memset(out[i], 'a' + i % 26, size);
    oiov[i].iov_base = out[i]; oiov[i].iov_len = size;
    iiov[i].iov_base = in[i]; iiov[i].iov_len = sizeof in[i];
    omsg[i].msg_hdr.msg_iov = &oiov[i]; omsg[i].msg_hdr.msg_iovlen = 1;
    imsg[i].msg_hdr.msg_iov = &iiov[i]; imsg[i].msg_hdr.msg_iovlen = 1;
  }
  double *samples = latency ? malloc(sizeof(double) * MAX_SAMPLES) : NULL;
  long nsamples = 0, replies = 0, timeouts = 0, bad = 0;
  double t0 = now(), end = t0 + secs, sent_at = 0;
  /* Fill the window. */
  for (int left = inflight; left > 0;) {
    int k = left < BATCH ? left : BATCH;
    int r = sendmmsg(fd, omsg, k, 0);
    if (r < 0) { perror("udp_pingpong: sendmmsg"); return 1; }
    left -= r;
  }
  sent_at = now();
  double t = sent_at;
  while (t < end) {
    int r = recvmmsg(fd, imsg, BATCH, MSG_WAITFORONE, NULL);
    t = now();
    if (r < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        /* Nothing for 200 ms: a request or its reply was lost; re-send the whole window. */
        timeouts++;
        for (int left = inflight; left > 0;) {
          int k = left < BATCH ? left : BATCH;
          int s = sendmmsg(fd, omsg, k, 0);
          if (s <= 0) break;
          left -= s;
        }
        sent_at = now();
        continue;
      }
      if (errno == ECONNREFUSED) { fprintf(stderr, "udp_pingpong: connection refused (no server)\n"); return 1; }
      perror("udp_pingpong: recvmmsg");
      return 1;
    }
    for (int i = 0; i < r; i++) if ((int)imsg[i].msg_len != size) bad++;
    replies += r;
    if (latency && nsamples < MAX_SAMPLES) samples[nsamples++] = (t - sent_at) * 1e6;
    for (int left = r; left > 0;) {
      int k = left < BATCH ? left : BATCH;
      int s = sendmmsg(fd, omsg, k, 0);
      if (s < 0) { if (errno == EINTR) continue; perror("udp_pingpong: sendmmsg"); return 1; }
      left -= s;
    }
    if (latency) sent_at = now();
  }
  double el = now() - t0;
  printf("{\"mode\":\"%s\",\"inflight\":%d,\"size\":%d,\"seconds\":%.3f,\"replies\":%ld,\"rps\":%.0f,\"timeouts\":%ld,\"bad\":%ld",
         latency ? "latency" : "throughput", inflight, size, el, replies, replies / el, timeouts, bad);
  if (latency && nsamples > 0) {
    qsort(samples, nsamples, sizeof(double), cmp);
#define P(q) samples[(long)((q) * (nsamples - 1))]
    printf(",\"samples\":%ld,\"p50_us\":%.2f,\"p90_us\":%.2f,\"p99_us\":%.2f,\"max_us\":%.2f", nsamples, P(0.5), P(0.9), P(0.99), samples[nsamples - 1]);
  }
  printf("}\n");
  close(fd);
  return 0;
}
