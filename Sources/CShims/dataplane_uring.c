// io_uring setup for the data plane: engine probe, ring creation, provided-buffer rings (liburing 2.3 has
// io_uring_register_buf_ring but not io_uring_setup_buf_ring, so the ring memory is mmap'ed here).
#include "CShims.h"
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <sys/mman.h>

struct io_uring *tdm_uring_create(unsigned sq_entries, unsigned cq_entries, int *error) {
    struct io_uring *ring = calloc(1, sizeof(struct io_uring));
    if (!ring) { *error = -ENOMEM; return NULL; }
    /* Single issuer + deferred task work (6.1+): completions are processed only when this thread enters the
     * kernel, which is exactly once per loop iteration here. Fall back to plain rings on older kernels. */
    unsigned const attempts[3] = {
        IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
        IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN,
        IORING_SETUP_CQSIZE,
    };
    int ret = -EINVAL;
    for (int i = 0; i < 3; i++) {
        struct io_uring_params p;
        memset(&p, 0, sizeof(p));
        p.flags = attempts[i];
        p.cq_entries = cq_entries;
        ret = io_uring_queue_init_params(sq_entries, ring, &p);
        if (ret == 0) { *error = 0; return ring; }
        if (ret != -EINVAL) break;
    }
    free(ring);
    *error = ret;
    return NULL;
}

int tdm_uring_cancel_all(struct io_uring *ring, unsigned timeout_ms) {
    const uint64_t tag = UINT64_MAX; /* no stream or command uses this user_data */
    if (!ring) return -EINVAL;
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
    if (!sqe) {
        io_uring_submit(ring);
        sqe = io_uring_get_sqe(ring);
        if (!sqe) return -EBUSY;
    }
    io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY); /* ANY matches every request, all of them */
    io_uring_sqe_set_data64(sqe, tag);
    int ret = io_uring_submit(ring);
    if (ret < 0) return ret;
    int cancelled = -ETIME;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        /* After the cancel's own completion, one more short wait collects the cancelled requests' last ones
         * (their files are released when they complete). */
        struct __kernel_timespec wait = { .tv_sec = 0, .tv_nsec = cancelled == -ETIME ? 10000000 : 1000000 };
        struct io_uring_cqe *cqe = NULL;
        ret = io_uring_wait_cqe_timeout(ring, &cqe, &wait);
        if (ret == 0 && cqe) {
            if (cqe->user_data == tag) cancelled = cqe->res;
            io_uring_cqe_seen(ring, cqe);
            continue;
        }
        if (ret == -ETIME && cancelled != -ETIME) break;
        if (ret < 0 && ret != -ETIME && ret != -EINTR) return ret;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long long elapsed_ms = (long long)(now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed_ms >= (long long)timeout_ms) break;
    }
    return cancelled;
}

void tdm_uring_destroy(struct io_uring *ring) {
    if (!ring) return;
    io_uring_queue_exit(ring);
    free(ring);
}

struct io_uring_buf_ring *tdm_buf_ring_create(struct io_uring *ring, unsigned entries, unsigned bgid, int *error) {
    size_t size = (size_t)entries * sizeof(struct io_uring_buf);
    void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (mem == MAP_FAILED) { *error = -errno; return NULL; }
    struct io_uring_buf_ring *br = mem;
    io_uring_buf_ring_init(br);
    struct io_uring_buf_reg reg;
    memset(&reg, 0, sizeof(reg));
    reg.ring_addr = (unsigned long)(uintptr_t)mem;
    reg.ring_entries = entries;
    reg.bgid = (__u16)bgid;
    int ret = io_uring_register_buf_ring(ring, &reg, 0);
    if (ret != 0) {
        munmap(mem, size);
        *error = ret;
        return NULL;
    }
    *error = 0;
    return br;
}

void tdm_buf_ring_destroy(struct io_uring *ring, struct io_uring_buf_ring *br, unsigned entries, unsigned bgid) {
    if (!br) return;
    if (ring) io_uring_unregister_buf_ring(ring, (int)bgid);
    munmap(br, (size_t)entries * sizeof(struct io_uring_buf));
}

static int probe_fail(char *reason, size_t len, int code, const char *what) {
    if (code < 0 && code != -1)
        snprintf(reason, len, "%s: %s", what, strerror(-code));
    else
        snprintf(reason, len, "%s", what);
    return code;
}

/* Multishot recvmsg is not visible in the opcode probe (it is a flag on RECVMSG, 6.0+), so try it for real. */
enum { PROBE_ENTRIES = 4, PROBE_SIZE = 256 };

/* `buffers` (PROBE_ENTRIES * PROBE_SIZE bytes) must outlive the ring: the receive stays armed until queue exit. */
static int probe_multishot(struct io_uring *ring, unsigned char *buffers, struct io_uring_buf_ring **ring_out,
                           char *reason, size_t len) {
    enum { ENTRIES = PROBE_ENTRIES, SIZE = PROBE_SIZE, BGID = 7 };
    int err = 0;
    struct io_uring_buf_ring *br = tdm_buf_ring_create(ring, ENTRIES, BGID, &err);
    if (!br) return probe_fail(reason, len, err, "provided buffer rings unsupported (io_uring_register_buf_ring)");
    *ring_out = br;
    for (unsigned i = 0; i < ENTRIES; i++)
        io_uring_buf_ring_add(br, buffers + i * SIZE, SIZE, (unsigned short)i, ENTRIES - 1, (int)i);
    io_uring_buf_ring_advance(br, ENTRIES);

    int result = -1;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(addr);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &alen) != 0) {
        result = probe_fail(reason, len, -errno, "multishot probe: loopback UDP socket");
        goto out;
    }
    struct msghdr tmpl;
    memset(&tmpl, 0, sizeof(tmpl));
    tmpl.msg_namelen = TDM_RECV_NAME_LEN;
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
    tdm_prep_recvmsg_multishot(sqe, fd, &tmpl, BGID, 1);
    io_uring_submit(ring);
    static const char ping[] = "tandem-probe";
    if (sendto(fd, ping, sizeof(ping), 0, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        result = probe_fail(reason, len, -errno, "multishot probe: sendto");
        goto out;
    }
    struct io_uring_cqe *cqe = NULL;
    struct __kernel_timespec ts = {.tv_sec = 1, .tv_nsec = 0};
    int ret = io_uring_wait_cqe_timeout(ring, &cqe, &ts);
    if (ret < 0) {
        result = probe_fail(reason, len, ret, "multishot recvmsg produced no completion");
    } else if (cqe->res < 0) {
        result = probe_fail(reason, len, cqe->res, "multishot recvmsg unsupported");
    } else if (!(cqe->flags & IORING_CQE_F_BUFFER) || !(cqe->flags & IORING_CQE_F_MORE)) {
        result = probe_fail(reason, len, -1, "multishot recvmsg completed without a provided buffer / F_MORE");
    } else {
        result = 0;
    }
    if (cqe) io_uring_cqe_seen(ring, cqe);
out:
    if (fd >= 0) close(fd); /* the caller tears the ring down right after, cancelling the armed receive */
    return result;
}

int tdm_uring_probe(char *reason, size_t reason_len) {
    struct io_uring ring;
    int ret = io_uring_queue_init(8, &ring, 0);
    if (ret < 0) {
        const char *why = ret == -ENOSYS ? "io_uring_setup: not supported by this kernel (ENOSYS)"
                        : ret == -EPERM  ? "io_uring_setup: not permitted (EPERM: kernel.io_uring_disabled or seccomp)"
                                         : "io_uring_setup failed";
        probe_fail(reason, reason_len, ret == -ENOSYS || ret == -EPERM ? -1 : ret, why);
        return ret;
    }
    int result = 0;
    struct io_uring_probe *probe = io_uring_get_probe_ring(&ring);
    if (!probe) {
        result = probe_fail(reason, reason_len, -1, "io_uring opcode probe failed (IORING_REGISTER_PROBE)");
    } else {
        static const struct { int op; const char *name; } needed[] = {
            {IORING_OP_RECVMSG, "IORING_OP_RECVMSG"}, {IORING_OP_SENDMSG, "IORING_OP_SENDMSG"},
            {IORING_OP_READ, "IORING_OP_READ"}, {IORING_OP_ASYNC_CANCEL, "IORING_OP_ASYNC_CANCEL"},
        };
        for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
            if (!io_uring_opcode_supported(probe, needed[i].op)) {
                snprintf(reason, reason_len, "io_uring lacks %s", needed[i].name);
                result = -1;
                break;
            }
        }
        io_uring_free_probe(probe);
    }
    unsigned char *buffers = NULL;
    struct io_uring_buf_ring *br = NULL;
    if (result == 0) {
        buffers = malloc(PROBE_ENTRIES * PROBE_SIZE);
        result = buffers ? probe_multishot(&ring, buffers, &br, reason, reason_len)
                         : probe_fail(reason, reason_len, -ENOMEM, "multishot probe");
    }
    io_uring_queue_exit(&ring);
    tdm_buf_ring_destroy(NULL, br, PROBE_ENTRIES, 0);
    free(buffers);
    if (result == 0) snprintf(reason, reason_len, "io_uring available: multishot recvmsg with provided buffer rings");
    return result;
}
