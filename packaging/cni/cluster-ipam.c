/*
 * cluster-ipam: the CNI IPAM plugin executable. A shim: it hands CNI_COMMAND, the other CNI_*
 * variables and stdin to the running cluster-ipam daemon over its Unix socket and prints the reply;
 * every decision is the daemon's. When the daemon does not answer, it prints a CNI error itself:
 * code 11 (try again later), or 50 (not available) for STATUS.
 *
 * Request:  "CNI1\n", then NAME=VALUE\0 for each CNI_* variable set, then \0, then stdin until EOF.
 * Reply:    the exit code in decimal, "\n", then what to print on stdout until EOF.
 *
 * The socket is $CLUSTER_IPAM_CNI_SOCKET, else /run/cluster-ipam/cni.sock.
 * Build: gcc -O2 -Wall -o cluster-ipam cluster-ipam.c
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/cluster-ipam/cni.sock"
#define MAX_IO (4 << 20)

static const char *const VARS[] = {"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH", NULL};

struct buf {
  char *data;
  size_t len, cap;
};

static int put(struct buf *b, const void *p, size_t n) {
  if (b->len + n > MAX_IO) return -1;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) return -1;
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  return 0;
}

static int read_all(int fd, struct buf *b) {
  char chunk[8192];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (put(b, chunk, (size_t)n) < 0) return -1;
  }
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* The daemon is not answering: the plugin's own CNI error (JSON-escaped details). */
static int unavailable(const char *command, const char *socket_path, const char *what) {
  int status = command && strcmp(command, "STATUS") == 0;
  char details[512];
  snprintf(details, sizeof details, "%s %s: %s", what, socket_path, strerror(errno));
  printf("{\"cniVersion\":\"1.1.0\",\"code\":%d,\"msg\":\"the cluster-ipam daemon is not answering\",\"details\":\"", status ? 50 : 11);
  for (const char *c = details; *c; c++) {
    if (*c == '"' || *c == '\\') putchar('\\');
    if ((unsigned char)*c >= 0x20) putchar(*c);
  }
  printf("\"}\n");
  return 1;
}

int main(void) {
  const char *command = getenv("CNI_COMMAND");
  const char *path = getenv("CLUSTER_IPAM_CNI_SOCKET");
  if (!path || !*path) path = DEFAULT_SOCKET;

  struct buf req = {0};
  put(&req, "CNI1\n", 5);
  for (int i = 0; VARS[i]; i++) {
    const char *v = getenv(VARS[i]);
    if (!v) continue;
    put(&req, VARS[i], strlen(VARS[i]));
    put(&req, "=", 1);
    if (put(&req, v, strlen(v) + 1) < 0) return unavailable(command, path, "environment too large for");
  }
  put(&req, "", 1);
  if (read_all(0, &req) < 0) return unavailable(command, path, "cannot read stdin for");

  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) {
    errno = ENAMETOOLONG;
    return unavailable(command, path, "socket path");
  }
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return unavailable(command, path, "socket for");
  struct timeval tv = {.tv_sec = 60};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) return unavailable(command, path, "cannot connect to");
  if (write_all(fd, req.data, req.len) < 0 || shutdown(fd, SHUT_WR) < 0) return unavailable(command, path, "cannot write to");

  struct buf reply = {0};
  if (read_all(fd, &reply) < 0) return unavailable(command, path, "no reply from");
  close(fd);
  char *nl = reply.len ? memchr(reply.data, '\n', reply.len) : NULL;
  if (!nl) {
    errno = EPROTO;
    return unavailable(command, path, "incomplete reply from");
  }
  *nl = '\0';
  int code = atoi(reply.data);
  size_t off = (size_t)(nl - reply.data) + 1;
  if (write_all(1, reply.data + off, reply.len - off) < 0) return 1;
  return code;
}
