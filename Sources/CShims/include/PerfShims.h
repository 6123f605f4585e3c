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

/* ---------------------------------------------------------------------------------------------------------------
 * io_uring engine of `perf rtp` (perf_uring.c).
 *
 * Why: with one socket per stream, the epoll engine spends one sendmmsg per packet (a stream rarely has two due at
 * once) and one recvmmsg per readiness, about two system calls per packet. At 100k pps that filled the generator's
 * core, so its own queues, not the relay, set the p99 it measured. This engine queues every due packet as a
 * sendmsg SQE, keeps one multishot recvmsg (with SO_TIMESTAMPNS control data) armed per socket over a provided
 * buffer ring, and enters the kernel once per loop iteration for all of them.
 * ------------------------------------------------------------------------------------------------------------- */
typedef struct tdp_uring_gen tdp_uring_gen;

/** One completion handed to Swift by `tdp_uring_gen_wait`. */
typedef struct tdp_uring_event {
    /** 0: a datagram arrived on socket `tag` (`payload`, `length`, `rx_ns`). 1: a send failed (`tag` = stream). */
    uint32_t kind;
    uint32_t tag;
    const uint8_t *payload;
    uint32_t length;
    uint64_t rx_ns;
} tdp_uring_event;

/**
 * A ring for `sockets` sockets, `send_slots` sends in flight of at most `slot_bytes` each, and `buffers`
 * receive buffers (a power of two) of `buffer_bytes` each. NULL with -errno in `error`.
 */
tdp_uring_gen *tdp_uring_gen_create(unsigned send_slots, unsigned slot_bytes, unsigned buffers, unsigned buffer_bytes,
                                    int *error);
void tdp_uring_gen_destroy(tdp_uring_gen *g);

/** Arms a multishot recvmsg on `fd`; its datagrams carry `tag`. Submitted with the next wait. 0 or -errno. */
int tdp_uring_gen_arm(tdp_uring_gen *g, int fd, uint32_t tag);

/**
 * Queues `count` datagrams to one IPv4 destination from `fd` (datagram i is `lengths[i]` bytes at
 * `base + i * stride`, copied into a send slot). A failed send is reported later as an event with `stream`.
 * Returns how many were queued: fewer when every slot is in flight.
 */
int tdp_uring_gen_send(tdp_uring_gen *g, int fd, uint32_t addr_be, uint16_t port_be, const uint8_t *base,
                       size_t stride, const uint32_t *lengths, unsigned count, uint32_t stream);

/**
 * Submits what was queued, waits until a completion arrives or `timeout_ns` passes, and reaps up to `max`
 * events into `events`. The payload pointers stay valid until the next call. Successful sends complete silently.
 * Returns the number of events, or -errno.
 */
int tdp_uring_gen_wait(tdp_uring_gen *g, uint64_t timeout_ns, tdp_uring_event *events, unsigned max);

/** Multishot receives re-armed because buffers ran out (ENOBUFS): a sign that `buffers` is too small. */
uint64_t tdp_uring_gen_rearms(const tdp_uring_gen *g);
/** Receives that ended with an error other than ENOBUFS (re-armed unless the socket is gone), and the last errno. */
uint64_t tdp_uring_gen_stopped(const tdp_uring_gen *g, int *last_error);

#endif
