#ifndef TANDEM_PERF_SHIMS_H
#define TANDEM_PERF_SHIMS_H
/*
 * C side of the load generators in perf/ (module Perf).
 *
 * Why C: CPU_SET and the CMSG_* macros are macros Swift cannot call, and `struct mmsghdr` needs _GNU_SOURCE.
 * The batch functions take flat arrays so the Swift side keeps one contiguous buffer per socket and never builds
 * msghdr structures itself. Included from CShims.h.
 */
#include <stdint.h>
#include <stddef.h>

/** Pins the calling thread to one CPU. 0 or -errno. */
int tdp_pin_to_cpu(int cpu);

/** Turns on SO_TIMESTAMPNS (kernel receive timestamps, CLOCK_REALTIME) and sets both buffer sizes. 0 or -errno. */
int tdp_configure_udp_socket(int fd, int buffer_bytes);

/** CLOCK_REALTIME in nanoseconds (the clock SO_TIMESTAMPNS uses). */
uint64_t tdp_realtime_ns(void);
/** CLOCK_MONOTONIC in nanoseconds (pacing). */
uint64_t tdp_monotonic_ns(void);
/** CPU time of the calling thread in nanoseconds. */
uint64_t tdp_thread_cpu_ns(void);

/**
 * sendmmsg of `count` datagrams to one IPv4 destination (network-order address and port). Datagram i is
 * `lengths[i]` bytes at `base + i * stride`. Returns the number sent (may be short), or -errno.
 */
int tdp_send_batch(int fd, uint32_t addr_be, uint16_t port_be, const uint8_t *base, size_t stride,
                   const uint32_t *lengths, unsigned count);

/**
 * recvmmsg (non-blocking) of up to `count` datagrams into `base + i * stride` (each at most `stride` bytes).
 * Writes each datagram's length (`lengths`) and its kernel receive time in CLOCK_REALTIME ns (`rx_ns`, 0 when
 * the kernel gave none). Returns the count (0 when nothing is queued), or -errno.
 */
int tdp_recv_batch(int fd, uint8_t *base, size_t stride, uint32_t *lengths, uint64_t *rx_ns, unsigned count);

/**
 * epoll_wait with a timeout in nanoseconds (epoll_pwait2, Linux 5.11+; falls back to epoll_wait rounded up to
 * whole milliseconds). Writes up to `max` (≤ 256) event tags. Returns the count, 0 on timeout or EINTR, or -errno.
 * Why: a generator that wakes once per millisecond sends its packets in millisecond bursts, and the burst's own
 * queueing then dominates the latency it measures.
 */
int tdp_epoll_wait_ns(int epfd, uint64_t *tags, unsigned max, uint64_t timeout_ns);

/** Sets the calling thread's timer slack (PR_SET_TIMERSLACK; the default 50 µs would blur a fine pacing tick). */
int tdp_set_timer_slack_ns(unsigned long slack_ns);

#endif
