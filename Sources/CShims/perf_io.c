// Batched UDP I/O, socket options, clocks and CPU pinning for the load generators in perf/.
#define _GNU_SOURCE 1
#include "CShims.h"
#include <sched.h>
#include <sys/epoll.h>
#include <sys/prctl.h>

enum { TDP_MAX_BATCH = 64, TDP_CONTROL_BYTES = 64 };

int tdp_pin_to_cpu(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return -EINVAL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof(set), &set) == 0 ? 0 : -errno;
}

int tdp_configure_udp_socket(int fd, int buffer_bytes) {
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) != 0) return -errno;
    if (buffer_bytes > 0) {
        // Best effort: the kernel caps at net.core.{r,w}mem_max unless the FORCE variants are allowed (root).
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer_bytes, sizeof(buffer_bytes)) != 0)
            (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof(buffer_bytes));
        if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buffer_bytes, sizeof(buffer_bytes)) != 0)
            (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof(buffer_bytes));
    }
    return 0;
}

static uint64_t clock_ns(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
uint64_t tdp_realtime_ns(void) { return clock_ns(CLOCK_REALTIME); }
uint64_t tdp_monotonic_ns(void) { return clock_ns(CLOCK_MONOTONIC); }
uint64_t tdp_thread_cpu_ns(void) { return clock_ns(CLOCK_THREAD_CPUTIME_ID); }

int tdp_send_batch(int fd, uint32_t addr_be, uint16_t port_be, const uint8_t *base, size_t stride,
                   const uint32_t *lengths, unsigned count) {
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = port_be, .sin_addr = {.s_addr = addr_be}};
    struct mmsghdr msgs[TDP_MAX_BATCH];
    struct iovec iov[TDP_MAX_BATCH];
    unsigned total = 0;
    while (total < count) {
        unsigned n = count - total > TDP_MAX_BATCH ? TDP_MAX_BATCH : count - total;
        for (unsigned i = 0; i < n; i++) {
            iov[i].iov_base = (void *)(base + (size_t)(total + i) * stride);
            iov[i].iov_len = lengths[total + i];
            memset(&msgs[i], 0, sizeof(msgs[i]));
            msgs[i].msg_hdr.msg_name = &dst;
            msgs[i].msg_hdr.msg_namelen = sizeof(dst);
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        int sent = sendmmsg(fd, msgs, n, MSG_DONTWAIT);
        if (sent < 0) return total > 0 ? (int)total : -errno;
        total += (unsigned)sent;
        if ((unsigned)sent < n) break;
    }
    return (int)total;
}

int tdp_recv_batch(int fd, uint8_t *base, size_t stride, uint32_t *lengths, uint64_t *rx_ns, unsigned count) {
    if (count > TDP_MAX_BATCH) count = TDP_MAX_BATCH;
    struct mmsghdr msgs[TDP_MAX_BATCH];
    struct iovec iov[TDP_MAX_BATCH];
    // uint64_t storage keeps the control buffers aligned for struct cmsghdr.
    uint64_t control[TDP_MAX_BATCH][TDP_CONTROL_BYTES / sizeof(uint64_t)];
    for (unsigned i = 0; i < count; i++) {
        iov[i].iov_base = base + (size_t)i * stride;
        iov[i].iov_len = stride;
        memset(&msgs[i], 0, sizeof(msgs[i]));
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_control = control[i];
        msgs[i].msg_hdr.msg_controllen = sizeof(control[i]);
    }
    int n = recvmmsg(fd, msgs, count, MSG_DONTWAIT, NULL);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -errno;
    for (int i = 0; i < n; i++) {
        lengths[i] = msgs[i].msg_len;
        rx_ns[i] = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec ts;
                memcpy(&ts, CMSG_DATA(c), sizeof(ts));
                rx_ns[i] = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
            }
        }
    }
    return n;
}

int tdp_epoll_wait_ns(int epfd, uint64_t *tags, unsigned max, uint64_t timeout_ns) {
    struct epoll_event events[256];
    if (max > 256) max = 256;
    struct timespec ts = {.tv_sec = (time_t)(timeout_ns / 1000000000ull), .tv_nsec = (long)(timeout_ns % 1000000000ull)};
    static int no_pwait2 = 0;
    int n = -1;
    if (!no_pwait2) {
        n = epoll_pwait2(epfd, events, (int)max, &ts, NULL);
        if (n < 0 && errno == ENOSYS) no_pwait2 = 1;
    }
    if (no_pwait2) n = epoll_wait(epfd, events, (int)max, (int)((timeout_ns + 999999ull) / 1000000ull));
    if (n < 0) return errno == EINTR ? 0 : -errno;
    for (int i = 0; i < n; i++) tags[i] = events[i].data.u64;
    return n;
}

int tdp_set_timer_slack_ns(unsigned long slack_ns) {
    return prctl(PR_SET_TIMERSLACK, slack_ns, 0, 0, 0) == 0 ? 0 : -errno;
}
