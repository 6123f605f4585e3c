#ifndef TANDEM_DATAPLANE_SHIMS_H
#define TANDEM_DATAPLANE_SHIMS_H
/*
 * C side of the media data plane (Sources/Relay/DataPlane).
 *
 * Why C: liburing's API is inline functions and macros, `struct mmsghdr` needs _GNU_SOURCE, `struct epoll_event`
 * is packed on x86-64, and the control side must read counters the workers write without locks, which needs
 * C11-style relaxed/acquire/release atomics on plain words in shared memory. Everything here is either a thin
 * `static inline` wrapper (so LLVM inlines it into the Swift hot path) or a cold setup function in a .c file.
 *
 * Included from CShims.h after the glibc and liburing headers.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/* ---------------------------------------------------------------------------------------------------------------
 * Relaxed / acquire / release atomics on plain words. Counters have a single writer (the owning worker) and any
 * number of readers (control); relaxed is enough for them. State words use acquire/release so that the memory a
 * state change publishes is visible to whoever observes the change.
 * ------------------------------------------------------------------------------------------------------------- */
static inline uint64_t tdm_load_u64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static inline void tdm_store_u64(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
static inline uint32_t tdm_load_acquire_u32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void tdm_store_release_u32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline int32_t tdm_load_acquire_i32(const int32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void tdm_store_release_i32(int32_t *p, int32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
/** Single-writer increment: a relaxed load and store, no locked instruction, yet never a torn read for readers. */
static inline void tdm_bump(uint64_t *p, uint64_t v) {
    __atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}
/** Copies `n` counter words with relaxed loads (each word is exact; the set is not a transaction). */
static inline void tdm_read_words(const uint64_t *src, uint64_t *dst, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

/** CLOCK_MONOTONIC_COARSE in nanoseconds: a vDSO read without a TSC access; workers read it once per batch. */
static inline uint64_t tdm_coarse_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Endpoints: an IPv4 or IPv6 socket address in 32 bytes; len == 0 means "not set".
 * ------------------------------------------------------------------------------------------------------------- */
typedef struct tdm_endpoint {
    struct sockaddr_in6 sa; /* really a sockaddr_in when family == AF_INET */
    uint32_t len;
} tdm_endpoint;

static inline uint16_t tdm_endpoint_family(const tdm_endpoint *e) { return e->len ? e->sa.sin6_family : 0; }

/** True when the endpoint is set and equals the socket address (family, port, address; v6 flow info ignored). */
static inline bool tdm_endpoint_matches(const tdm_endpoint *e, const void *sa, uint32_t len) {
    const struct sockaddr *s = (const struct sockaddr *)sa;
    if (e->len == 0 || len < sizeof(sa_family_t) || s->sa_family != e->sa.sin6_family) return false;
    if (s->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
        const struct sockaddr_in *b = (const struct sockaddr_in *)&e->sa;
        return len >= sizeof(*a) && a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
    }
    if (s->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
        return len >= sizeof(*a) && a->sin6_port == e->sa.sin6_port &&
               memcmp(&a->sin6_addr, &e->sa.sin6_addr, sizeof(a->sin6_addr)) == 0;
    }
    return false;
}

/** Stores a received source address; anything that is not IPv4/IPv6 clears the endpoint. */
static inline void tdm_endpoint_set(tdm_endpoint *e, const void *sa, uint32_t len) {
    const struct sockaddr *s = (const struct sockaddr *)sa;
    memset(e, 0, sizeof(*e));
    if (len >= sizeof(struct sockaddr_in) && s->sa_family == AF_INET) {
        memcpy(&e->sa, sa, sizeof(struct sockaddr_in));
        e->len = sizeof(struct sockaddr_in);
    } else if (len >= sizeof(struct sockaddr_in6) && s->sa_family == AF_INET6) {
        memcpy(&e->sa, sa, sizeof(struct sockaddr_in6));
        e->len = sizeof(struct sockaddr_in6);
    }
}

/**
 * Writes the destination as a socket address usable from a socket of `sender_family`: same family as is, IPv4 to an
 * IPv6 socket as ::ffff:a.b.c.d. Returns the address length, or 0 when the two cannot talk (IPv6 to an IPv4 socket).
 */
static inline uint32_t tdm_endpoint_for_sender(const tdm_endpoint *e, int sender_family, struct sockaddr_in6 *out) {
    uint16_t fam = tdm_endpoint_family(e);
    if (fam == 0) return 0;
    if (fam == sender_family) { memcpy(out, &e->sa, e->len); return e->len; }
    if (fam == AF_INET && sender_family == AF_INET6) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)&e->sa;
        memset(out, 0, sizeof(*out));
        out->sin6_family = AF_INET6;
        out->sin6_port = v4->sin_port;
        out->sin6_addr.s6_addr[10] = 0xff;
        out->sin6_addr.s6_addr[11] = 0xff;
        memcpy(&out->sin6_addr.s6_addr[12], &v4->sin_addr, 4);
        return sizeof(*out);
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Stream slots and counters (shared memory between control and workers).
 * ------------------------------------------------------------------------------------------------------------- */
enum {
    TDM_DROP_NO_DESTINATION = 0, /* no peer, or peer has neither a learned nor an advertised endpoint */
    TDM_DROP_STRICT_SOURCE = 1,  /* strict source: packet not from the latched source */
    TDM_DROP_BLEED = 2,          /* after the learning window, a new source without media handover */
    TDM_DROP_TRUNCATED = 3,      /* datagram larger than a buffer */
    TDM_DROP_SEND_FAILED = 4,    /* sendmsg failed (counted in errors too) */
    TDM_DROP_STREAM_GONE = 5,    /* arrived while the stream was being removed */
    TDM_DROP_REASON_COUNT = 6
};

/** All uint64_t so that readers can copy it word by word (tdm_read_words). */
typedef struct tdm_stream_counters {
    uint64_t packets_received, bytes_received;
    uint64_t packets_forwarded, bytes_forwarded;
    uint64_t errors;
    uint64_t source_changes;
    uint64_t last_packet_ns;
    uint64_t drops[TDM_DROP_REASON_COUNT];
} tdm_stream_counters;

/** Per worker, single writer; summed by control into relay-wide totals. */
typedef struct tdm_worker_counters {
    uint64_t packets_received, bytes_received;
    uint64_t packets_forwarded, bytes_forwarded;
    uint64_t errors;
    uint64_t drops[TDM_DROP_REASON_COUNT];
    uint64_t batches;          /* loop iterations that handled at least one completion / event */
    uint64_t rearms;           /* multishot receives re-armed (io_uring) */
    uint64_t buffer_shortages; /* receives that found no free buffer (io_uring ENOBUFS) */
    uint64_t commands;         /* control commands applied */
    uint64_t latch_locks;      /* latches that became locked: control's cue to look for rules to offload */
    uint64_t stun_diverted;    /* STUN messages handed to control instead of being forwarded */
    uint64_t stun_overflows;   /* STUN messages dropped: the STUN inbox was full or the message too large */
} tdm_worker_counters;

enum { TDM_STREAM_FREE = 0, TDM_STREAM_PENDING = 1, TDM_STREAM_ACTIVE = 2, TDM_STREAM_CLOSING = 3 };
enum { TDM_LATCH_NONE = 0, TDM_LATCH_LEARNING = 1, TDM_LATCH_LOCKED = 2 };
enum { TDM_FWD_ASYMMETRIC = 1u << 0, TDM_FWD_STRICT_SOURCE = 1u << 1, TDM_FWD_MEDIA_HANDOVER = 1u << 2 };
#define TDM_NO_PEER UINT32_MAX

/**
 * One stream socket. Ownership: while FREE, control owns every field; it initialises the slot, stores PENDING
 * (release) and queues ADD. From then on the owning worker alone writes the forwarding fields and counters;
 * control only reads `state`, `generation`, the counters and the published (seqlock) endpoint. The worker stores
 * FREE (release) after it closed the fd (or, for a detaching REMOVE, let go of it unclosed), handing the slot
 * back.
 */
typedef struct tdm_stream {
    uint32_t state;       /* TDM_STREAM_*, acquire/release */
    uint32_t generation;  /* bumped by control at allocation; part of the stream id */
    int32_t fd;
    uint32_t worker;
    int32_t family;       /* AF_INET or AF_INET6 of the bound socket */
    /* worker-owned forwarding entry */
    uint32_t peer;            /* slot index or TDM_NO_PEER */
    uint32_t peer_generation;
    uint32_t flags;           /* TDM_FWD_* */
    uint32_t latch;           /* TDM_LATCH_* */
    uint32_t learn_packets_limit; /* 0 = no packet limit */
    uint32_t learn_packets_seen;
    uint32_t armed;           /* engine-private: receive armed / queued for re-arm */
    uint32_t list_index;      /* engine-private: index in the worker's stream list */
    uint32_t rtcp_peer;       /* slot index or TDM_NO_PEER: where RTCP (RFC 5761 PT 192-223) leaves instead */
    uint32_t rtcp_peer_generation;
    uint32_t keep_fd;         /* worker-owned: set by a detaching REMOVE; the fd goes back to control unclosed */
    uint64_t learn_window_ns; /* 0 = no time limit */
    uint64_t learn_started_ns;
    tdm_endpoint learned;
    tdm_endpoint advertised;
    /* published copy of latch + learned endpoint for control (seqlock, single writer) */
    uint64_t published_seq;
    uint64_t published[5]; /* 4 words of tdm_endpoint + the latch state */
    tdm_stream_counters counters;
} tdm_stream;

static inline void tdm_stream_received(tdm_stream *s, tdm_worker_counters *w, uint64_t bytes, uint64_t now) {
    tdm_bump(&s->counters.packets_received, 1);
    tdm_bump(&s->counters.bytes_received, bytes);
    tdm_store_u64(&s->counters.last_packet_ns, now);
    tdm_bump(&w->packets_received, 1);
    tdm_bump(&w->bytes_received, bytes);
}
static inline void tdm_stream_forwarded(tdm_stream *s, tdm_worker_counters *w, uint64_t bytes) {
    tdm_bump(&s->counters.packets_forwarded, 1);
    tdm_bump(&s->counters.bytes_forwarded, bytes);
    tdm_bump(&w->packets_forwarded, 1);
    tdm_bump(&w->bytes_forwarded, bytes);
}
static inline void tdm_stream_dropped(tdm_stream *s, tdm_worker_counters *w, unsigned reason) {
    if (reason >= TDM_DROP_REASON_COUNT) return;
    if (s) tdm_bump(&s->counters.drops[reason], 1);
    tdm_bump(&w->drops[reason], 1);
    if (reason == TDM_DROP_SEND_FAILED) {
        if (s) tdm_bump(&s->counters.errors, 1);
        tdm_bump(&w->errors, 1);
    }
}
static inline void tdm_stream_error(tdm_stream *s, tdm_worker_counters *w) {
    if (s) tdm_bump(&s->counters.errors, 1);
    tdm_bump(&w->errors, 1);
}
static inline void tdm_stream_source_changed(tdm_stream *s) { tdm_bump(&s->counters.source_changes, 1); }

/** Publishes `latch` and `learned` (worker only; rare: on learning and on source changes). */
static inline void tdm_stream_publish(tdm_stream *s) {
    uint64_t words[5];
    memcpy(words, &s->learned, sizeof(tdm_endpoint));
    words[4] = s->latch;
    uint64_t seq = __atomic_load_n(&s->published_seq, __ATOMIC_RELAXED);
    __atomic_store_n(&s->published_seq, seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    for (int i = 0; i < 5; i++) __atomic_store_n(&s->published[i], words[i], __ATOMIC_RELAXED);
    __atomic_store_n(&s->published_seq, seq + 2, __ATOMIC_RELEASE);
}
/** Reads the published endpoint and latch; false if the writer kept interfering (bounded retries). */
static inline bool tdm_stream_read_published(const tdm_stream *s, tdm_endpoint *learned, uint32_t *latch) {
    for (int attempt = 0; attempt < 64; attempt++) {
        uint64_t before = __atomic_load_n(&s->published_seq, __ATOMIC_ACQUIRE);
        if (before & 1) continue;
        uint64_t words[5];
        for (int i = 0; i < 5; i++) words[i] = __atomic_load_n(&s->published[i], __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&s->published_seq, __ATOMIC_RELAXED) == before) {
            memcpy(learned, words, sizeof(tdm_endpoint));
            *latch = (uint32_t)words[4];
            return true;
        }
    }
    return false;
}
/**
 * Control, on a FREE slot it is about to hand out: resets every worker-owned field and the counters, leaving
 * `state`, `generation` and `published_seq` (which readers may be looking at) to the atomic stores that follow.
 */
static inline void tdm_stream_prepare(tdm_stream *s, int32_t fd, uint32_t worker, int32_t family) {
    s->fd = fd;
    s->worker = worker;
    s->family = family;
    s->peer = TDM_NO_PEER;
    s->peer_generation = 0;
    s->rtcp_peer = TDM_NO_PEER;
    s->rtcp_peer_generation = 0;
    s->flags = 0;
    s->latch = TDM_LATCH_NONE;
    s->learn_packets_limit = 0;
    s->learn_packets_seen = 0;
    s->armed = 0;
    s->list_index = 0;
    s->keep_fd = 0;
    s->learn_window_ns = 3000000000ull;
    s->learn_started_ns = 0;
    memset(&s->learned, 0, sizeof(s->learned));
    memset(&s->advertised, 0, sizeof(s->advertised));
    tdm_stream_publish(s);
    uint64_t *words = (uint64_t *)&s->counters;
    for (size_t i = 0; i < sizeof(s->counters) / sizeof(uint64_t); i++) tdm_store_u64(&words[i], 0);
}

static inline void tdm_stream_read_counters(const tdm_stream *s, tdm_stream_counters *out) {
    tdm_read_words((const uint64_t *)&s->counters, (uint64_t *)out, sizeof(*out) / sizeof(uint64_t));
}
static inline void tdm_worker_read_counters(const tdm_worker_counters *w, tdm_worker_counters *out) {
    tdm_read_words((const uint64_t *)w, (uint64_t *)out, sizeof(*out) / sizeof(uint64_t));
}
static inline uint64_t tdm_drop_count(const tdm_stream_counters *c, unsigned reason) {
    return reason < TDM_DROP_REASON_COUNT ? c->drops[reason] : 0;
}
static inline uint64_t tdm_worker_drop_count(const tdm_worker_counters *c, unsigned reason) {
    return reason < TDM_DROP_REASON_COUNT ? c->drops[reason] : 0;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Control -> worker command queue: a bounded lock-free MPMC ring (Vyukov) used as MPSC. Each push gets a position;
 * the worker pops in position order and publishes "completed through position" so control can wait for a command.
 * ------------------------------------------------------------------------------------------------------------- */
/* LATCH: lock the stream to the source in `advertised` (an authenticated ICE nomination, see ICELiteAgent). */
enum { TDM_CMD_ADD = 1, TDM_CMD_UPDATE = 2, TDM_CMD_REMOVE = 3, TDM_CMD_STOP = 4, TDM_CMD_LATCH = 5 };
/** REMOVE with `flags == TDM_REMOVE_DETACH`: stop using the socket but leave it open (control keeps it bound). */
enum { TDM_REMOVE_DETACH = 1 };

typedef struct tdm_command {
    uint32_t kind;
    uint32_t stream;
    uint32_t generation;
    uint32_t peer;
    uint32_t peer_generation;
    uint32_t flags;
    uint32_t learn_packets_limit;
    uint32_t reset_learning;
    uint32_t rtcp_peer;
    uint32_t rtcp_peer_generation;
    uint64_t learn_window_ns;
    tdm_endpoint advertised;
} tdm_command;

typedef struct tdm_command_queue tdm_command_queue;

/** capacity is rounded up to a power of two (minimum 2). NULL on allocation failure. */
tdm_command_queue *tdm_command_queue_create(uint32_t capacity);
void tdm_command_queue_destroy(tdm_command_queue *q);
/** Returns the command's position (its ticket), or -1 when the queue is full. Safe from any thread. */
int64_t tdm_command_queue_push(tdm_command_queue *q, const tdm_command *cmd);
/** Single consumer. Returns false when empty; otherwise fills `out` and `position`. */
bool tdm_command_queue_pop(tdm_command_queue *q, tdm_command *out, uint64_t *position);
/** Consumer: commands before `count` (positions 0..count-1) have been applied (release). */
void tdm_command_queue_mark_applied(tdm_command_queue *q, uint64_t count);
/** Number of applied commands (acquire): ticket t is applied when this is > t. */
uint64_t tdm_command_queue_applied(const tdm_command_queue *q);

/* ---------------------------------------------------------------------------------------------------------------
 * STUN inbox: a worker hands the rare STUN messages (ICE connectivity checks) it receives to control, which answers
 * them. Single producer (the worker), single consumer (control), fixed slots allocated once: the worker copies the
 * datagram and its source and moves on, without allocating or locking.
 * ------------------------------------------------------------------------------------------------------------- */
enum { TDM_STUN_MAX_BYTES = 1280, TDM_STUN_INBOX_SLOTS = 64 };

typedef struct tdm_stun_inbox tdm_stun_inbox;

/** NULL on allocation failure. */
tdm_stun_inbox *tdm_stun_inbox_create(void);
void tdm_stun_inbox_destroy(tdm_stun_inbox *q);
/** Producer (worker): copies the datagram; false when the inbox is full or the datagram is larger than
 *  TDM_STUN_MAX_BYTES (the caller counts it). */
bool tdm_stun_inbox_push(tdm_stun_inbox *q, uint32_t stream, uint32_t generation, const void *name,
                         uint32_t name_len, const void *payload, uint32_t length);
/** Consumer (control): the oldest message without removing it; false when empty. `bytes` stays valid until
 *  tdm_stun_inbox_release. */
bool tdm_stun_inbox_peek(tdm_stun_inbox *q, uint32_t *stream, uint32_t *generation, tdm_endpoint *source,
                         const uint8_t **bytes, uint32_t *length);
/** Consumer: frees the slot returned by the last peek. */
void tdm_stun_inbox_release(tdm_stun_inbox *q);

/* ---------------------------------------------------------------------------------------------------------------
 * io_uring (liburing 2.3: no io_uring_setup_buf_ring yet, so the buffer ring is mmap'ed and registered here).
 * ------------------------------------------------------------------------------------------------------------- */
enum { TDM_RECV_NAME_LEN = sizeof(struct sockaddr_in6) };

/**
 * Checks that io_uring works here and supports what the engine needs: ring creation (ENOSYS/EPERM when the
 * kernel lacks it or kernel.io_uring_disabled / seccomp forbid it), the RECVMSG/SENDMSG/READ/ASYNC_CANCEL
 * opcodes, provided buffer rings, and multishot recvmsg (verified with one datagram over loopback).
 * Returns 0 when usable; otherwise a negative errno or -1, with a human-readable reason in `reason`.
 */
int tdm_uring_probe(char *reason, size_t reason_len);

/** Allocates and initialises a ring for the calling thread (single issuer + deferred task run when available). */
struct io_uring *tdm_uring_create(unsigned sq_entries, unsigned cq_entries, int *error);
void tdm_uring_destroy(struct io_uring *ring);
/**
 * Cancels every request still armed in the ring and reaps their completions, waiting at most `timeout_ms`.
 * Why: the kernel tears a closed ring down later, on a workqueue, and until then each armed multishot receive
 * holds its socket, so the port stays bound for a moment after a clean stop (a restart, or a test binding the
 * port again, got EADDRINUSE). Returns how many requests were cancelled, or a negative errno.
 */
int tdm_uring_cancel_all(struct io_uring *ring, unsigned timeout_ms);

/** mmap()s and registers a provided-buffer ring with `entries` (power of two) slots under group `bgid`. */
struct io_uring_buf_ring *tdm_buf_ring_create(struct io_uring *ring, unsigned entries, unsigned bgid, int *error);
void tdm_buf_ring_destroy(struct io_uring *ring, struct io_uring_buf_ring *br, unsigned entries, unsigned bgid);

static inline void tdm_buf_ring_add(struct io_uring_buf_ring *br, void *addr, unsigned len, unsigned short bid,
                                    unsigned mask, unsigned offset) {
    io_uring_buf_ring_add(br, addr, len, bid, (int)mask, (int)offset);
}
static inline void tdm_buf_ring_advance(struct io_uring_buf_ring *br, unsigned count) {
    io_uring_buf_ring_advance(br, (int)count);
}

/** An SQE, submitting what is queued first if the submission ring is full. NULL only if that submit fails. */
static inline struct io_uring_sqe *tdm_uring_sqe(struct io_uring *ring) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
    if (sqe) return sqe;
    if (io_uring_submit(ring) < 0) return NULL;
    return io_uring_get_sqe(ring);
}
static inline void tdm_prep_recvmsg_multishot(struct io_uring_sqe *sqe, int fd, struct msghdr *msg, unsigned bgid,
                                              uint64_t user_data) {
    io_uring_prep_recvmsg_multishot(sqe, fd, msg, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = (__u16)bgid;
    io_uring_sqe_set_data64(sqe, user_data);
}
static inline void tdm_prep_sendmsg(struct io_uring_sqe *sqe, int fd, const struct msghdr *msg, uint64_t user_data) {
    io_uring_prep_sendmsg(sqe, fd, msg, MSG_DONTWAIT);
    io_uring_sqe_set_data64(sqe, user_data);
}
static inline void tdm_prep_read(struct io_uring_sqe *sqe, int fd, void *buf, unsigned len, uint64_t user_data) {
    io_uring_prep_read(sqe, fd, buf, len, 0);
    io_uring_sqe_set_data64(sqe, user_data);
}
/**
 * Cancels the one request whose user_data is `target` (a stream's multishot receive). Why not by fd: the kernel
 * finds a request by user_data in its hash table, but cancelling by fd walks every armed request, so deleting a
 * call cost O(live streams) — 5–6 % of the relay's CPU while 1000 calls were torn down.
 */
static inline void tdm_prep_cancel_data(struct io_uring_sqe *sqe, uint64_t target, uint64_t user_data) {
    io_uring_prep_cancel64(sqe, target, 0);
    io_uring_sqe_set_data64(sqe, user_data);
}
static inline int tdm_uring_submit(struct io_uring *ring) { return io_uring_submit(ring); }
static inline int tdm_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr) {
    return io_uring_submit_and_wait(ring, wait_nr);
}
static inline unsigned tdm_uring_peek_batch(struct io_uring *ring, struct io_uring_cqe **cqes, unsigned count) {
    return io_uring_peek_batch_cqe(ring, cqes, count);
}
static inline void tdm_uring_cq_advance(struct io_uring *ring, unsigned count) { io_uring_cq_advance(ring, count); }

/**
 * Locates the parts of a multishot recvmsg completion in its provided buffer (layout: io_uring_recvmsg_out, the
 * name area of TDM_RECV_NAME_LEN bytes, no control data, payload). Returns false if the completion is malformed.
 */
static inline bool tdm_recvmsg_parts(void *buf, int res, const struct msghdr *tmpl, void **payload,
                                     uint32_t *payload_len, void **name, uint32_t *name_len, bool *truncated) {
    struct io_uring_recvmsg_out *o = io_uring_recvmsg_validate(buf, res, (struct msghdr *)tmpl);
    if (!o) return false;
    *name = io_uring_recvmsg_name(o);
    *name_len = o->namelen > tmpl->msg_namelen ? tmpl->msg_namelen : o->namelen;
    *payload = io_uring_recvmsg_payload(o, (struct msghdr *)tmpl);
    *payload_len = io_uring_recvmsg_payload_length(o, res, (struct msghdr *)tmpl);
    *truncated = (o->flags & MSG_TRUNC) != 0;
    return true;
}

/* ---------------------------------------------------------------------------------------------------------------
 * recvmmsg/sendmmsg + epoll (the fallback engine).
 * ------------------------------------------------------------------------------------------------------------- */
/** Layout-identical to glibc's `struct mmsghdr` (checked by a static assertion in dataplane_mmsg.c). */
typedef struct tdm_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
} tdm_mmsghdr;

int tdm_recvmmsg(int fd, tdm_mmsghdr *msgs, unsigned count);
int tdm_sendmmsg(int fd, tdm_mmsghdr *msgs, unsigned count);
/** Level-triggered EPOLLIN registration carrying a 64-bit tag. */
int tdm_epoll_add(int epfd, int fd, uint64_t tag);
int tdm_epoll_del(int epfd, int fd);
/** Waits and writes up to `max` tags; returns the count, 0 on EINTR/timeout, or -errno. */
int tdm_epoll_wait(int epfd, uint64_t *tags, unsigned max, int timeout_ms);

/** Names the calling thread (truncated to 15 bytes), as shown by `top -H` and in core dumps. */
void tdm_thread_set_name(const char *name);

/** errno of the calling thread (Swift sees `errno` as a computed global; this keeps the hot path explicit). */
static inline int tdm_errno(void) { return errno; }

#endif
