// The io_uring engine of `perf rtp` (see PerfShims.h for why it exists): sendmsg SQEs from a slot pool, one
// multishot recvmsg per socket over a provided buffer ring, one io_uring_enter per loop iteration.
#include "CShims.h"
#include <stdlib.h>
#include <sys/mman.h>

enum {
    TDP_GEN_BGID = 7,
    TDP_GEN_CONTROL_BYTES = 64,
    TDP_GEN_MAX_EVENTS = 4096,
};
#define TDP_GEN_SEND_FLAG (1ull << 63)

struct tdp_uring_gen {
    struct io_uring ring;
    int ring_ready;
    /* Receive side. */
    struct io_uring_buf_ring *br;
    size_t br_bytes;
    uint8_t *buffers;
    unsigned buffer_count, buffer_bytes;
    struct msghdr recv_template;
    int *armed_fd;
    uint32_t *armed_tag;
    unsigned armed_count, armed_capacity;
    unsigned short returns[TDP_GEN_MAX_EVENTS];
    unsigned return_count;
    unsigned *rearm;
    unsigned rearm_count;
    uint64_t rearms;
    uint64_t stopped;
    int last_stop_error;
    /* Send side. */
    uint8_t *slot_data;
    unsigned slot_count, slot_bytes;
    struct msghdr *slot_msg;
    struct iovec *slot_iov;
    struct sockaddr_in *slot_dst;
    uint32_t *slot_stream;
    unsigned *free_slots;
    unsigned free_count;
};

static struct io_uring_sqe *gen_sqe(tdp_uring_gen *g) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(&g->ring);
    if (!sqe) {
        io_uring_submit(&g->ring);
        sqe = io_uring_get_sqe(&g->ring);
    }
    return sqe;
}

void tdp_uring_gen_destroy(tdp_uring_gen *g) {
    if (!g) return;
    if (g->ring_ready) {
        if (g->br) io_uring_unregister_buf_ring(&g->ring, TDP_GEN_BGID);
        io_uring_queue_exit(&g->ring);
    }
    if (g->br) munmap(g->br, g->br_bytes);
    free(g->buffers);
    free(g->armed_fd);
    free(g->armed_tag);
    free(g->rearm);
    free(g->slot_data);
    free(g->slot_msg);
    free(g->slot_iov);
    free(g->slot_dst);
    free(g->slot_stream);
    free(g->free_slots);
    free(g);
}

tdp_uring_gen *tdp_uring_gen_create(unsigned send_slots, unsigned slot_bytes, unsigned buffers, unsigned buffer_bytes,
                                    int *error) {
    if (send_slots == 0 || send_slots > 32768 || slot_bytes == 0 || buffers == 0 || buffers > 32768 || (buffers & (buffers - 1)) != 0
        || buffer_bytes < 256) {
        *error = -EINVAL;
        return NULL;
    }
    tdp_uring_gen *g = calloc(1, sizeof(*g));
    if (!g) { *error = -ENOMEM; return NULL; }
    struct io_uring_params p;
    memset(&p, 0, sizeof(p));
    p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    /* Every send slot and every buffer can have a completion pending, twice over; the kernel caps a CQ at 65536
     * entries. A full SQ is submitted on the spot (gen_sqe), so it need not hold every slot. */
    unsigned cq_entries = 2 * (send_slots + buffers) > 65536 ? 65536 : 2 * (send_slots + buffers);
    unsigned sq_entries = send_slots > 8192 ? 8192 : send_slots;
    p.cq_entries = cq_entries;
    int ret = io_uring_queue_init_params(sq_entries, &g->ring, &p);
    if (ret == -EINVAL) {
        memset(&p, 0, sizeof(p));
        p.flags = IORING_SETUP_CQSIZE;
        p.cq_entries = cq_entries;
        ret = io_uring_queue_init_params(sq_entries, &g->ring, &p);
    }
    if (ret < 0) { free(g); *error = ret; return NULL; }
    g->ring_ready = 1;

    g->buffer_count = buffers;
    g->buffer_bytes = buffer_bytes;
    g->br_bytes = (size_t)buffers * sizeof(struct io_uring_buf);
    void *br = mmap(NULL, g->br_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    g->buffers = malloc((size_t)buffers * buffer_bytes);
    g->slot_count = send_slots;
    g->slot_bytes = slot_bytes;
    g->slot_data = malloc((size_t)send_slots * slot_bytes);
    g->slot_msg = calloc(send_slots, sizeof(struct msghdr));
    g->slot_iov = calloc(send_slots, sizeof(struct iovec));
    g->slot_dst = calloc(send_slots, sizeof(struct sockaddr_in));
    g->slot_stream = calloc(send_slots, sizeof(uint32_t));
    g->free_slots = malloc(send_slots * sizeof(unsigned));
    if (br == MAP_FAILED || !g->buffers || !g->slot_data || !g->slot_msg || !g->slot_iov || !g->slot_dst
        || !g->slot_stream || !g->free_slots) {
        if (br != MAP_FAILED) { g->br = br; }
        tdp_uring_gen_destroy(g);
        *error = -ENOMEM;
        return NULL;
    }
    g->br = br;
    io_uring_buf_ring_init(g->br);
    struct io_uring_buf_reg reg = {.ring_addr = (unsigned long)g->br, .ring_entries = buffers, .bgid = TDP_GEN_BGID};
    ret = io_uring_register_buf_ring(&g->ring, &reg, 0);
    if (ret < 0) {
        munmap(g->br, g->br_bytes);
        g->br = NULL;
        tdp_uring_gen_destroy(g);
        *error = ret;
        return NULL;
    }
    unsigned mask = io_uring_buf_ring_mask(buffers);
    for (unsigned i = 0; i < buffers; i++)
        io_uring_buf_ring_add(g->br, g->buffers + (size_t)i * buffer_bytes, buffer_bytes, (unsigned short)i, mask, (int)i);
    io_uring_buf_ring_advance(g->br, (int)buffers);

    g->recv_template.msg_namelen = sizeof(struct sockaddr_in6);
    g->recv_template.msg_controllen = TDP_GEN_CONTROL_BYTES;
    for (unsigned i = 0; i < send_slots; i++) {
        g->slot_iov[i].iov_base = g->slot_data + (size_t)i * slot_bytes;
        g->slot_msg[i].msg_name = &g->slot_dst[i];
        g->slot_msg[i].msg_namelen = sizeof(struct sockaddr_in);
        g->slot_msg[i].msg_iov = &g->slot_iov[i];
        g->slot_msg[i].msg_iovlen = 1;
        g->slot_dst[i].sin_family = AF_INET;
        g->free_slots[i] = send_slots - 1 - i;
    }
    g->free_count = send_slots;
    *error = 0;
    return g;
}

uint64_t tdp_uring_gen_rearms(const tdp_uring_gen *g) { return g->rearms; }
uint64_t tdp_uring_gen_stopped(const tdp_uring_gen *g, int *last_error) {
    *last_error = g->last_stop_error;
    return g->stopped;
}

static int gen_arm_index(tdp_uring_gen *g, unsigned index) {
    struct io_uring_sqe *sqe = gen_sqe(g);
    if (!sqe) return -EBUSY;
    io_uring_prep_recvmsg_multishot(sqe, g->armed_fd[index], &g->recv_template, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = TDP_GEN_BGID;
    io_uring_sqe_set_data64(sqe, index);
    return 0;
}

int tdp_uring_gen_arm(tdp_uring_gen *g, int fd, uint32_t tag) {
    if (g->armed_count == g->armed_capacity) {
        unsigned capacity = g->armed_capacity ? 2 * g->armed_capacity : 256;
        int *fds = realloc(g->armed_fd, capacity * sizeof(int));
        if (!fds) return -ENOMEM;
        g->armed_fd = fds;
        uint32_t *tags = realloc(g->armed_tag, capacity * sizeof(uint32_t));
        if (!tags) return -ENOMEM;
        g->armed_tag = tags;
        unsigned *rearm = realloc(g->rearm, capacity * sizeof(unsigned));
        if (!rearm) return -ENOMEM;
        g->rearm = rearm;
        g->armed_capacity = capacity;
    }
    unsigned index = g->armed_count++;
    g->armed_fd[index] = fd;
    g->armed_tag[index] = tag;
    return gen_arm_index(g, index);
}

int tdp_uring_gen_send(tdp_uring_gen *g, int fd, uint32_t addr_be, uint16_t port_be, const uint8_t *base,
                       size_t stride, const uint32_t *lengths, unsigned count, uint32_t stream) {
    unsigned queued = 0;
    for (; queued < count && g->free_count > 0; queued++) {
        uint32_t length = lengths[queued] > g->slot_bytes ? g->slot_bytes : lengths[queued];
        struct io_uring_sqe *sqe = gen_sqe(g);
        if (!sqe) break;
        unsigned slot = g->free_slots[--g->free_count];
        memcpy(g->slot_iov[slot].iov_base, base + (size_t)queued * stride, length);
        g->slot_iov[slot].iov_len = length;
        g->slot_dst[slot].sin_addr.s_addr = addr_be;
        g->slot_dst[slot].sin_port = port_be;
        g->slot_stream[slot] = stream;
        io_uring_prep_sendmsg(sqe, fd, &g->slot_msg[slot], MSG_DONTWAIT);
        io_uring_sqe_set_data64(sqe, TDP_GEN_SEND_FLAG | slot);
    }
    return (int)queued;
}

static uint64_t gen_rx_ns(struct io_uring_recvmsg_out *o, struct msghdr *template) {
    for (struct cmsghdr *c = io_uring_recvmsg_cmsg_firsthdr(o, template); c;
         c = io_uring_recvmsg_cmsg_nexthdr(o, template, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(c), sizeof(ts));
            return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
        }
    }
    return 0;
}

int tdp_uring_gen_wait(tdp_uring_gen *g, uint64_t timeout_ns, tdp_uring_event *events, unsigned max) {
    if (max > TDP_GEN_MAX_EVENTS) max = TDP_GEN_MAX_EVENTS;
    /* The previous call's receive buffers go back first, then the receives that stopped are armed again. */
    if (g->return_count > 0) {
        unsigned mask = io_uring_buf_ring_mask(g->buffer_count);
        for (unsigned i = 0; i < g->return_count; i++) {
            unsigned short bid = g->returns[i];
            io_uring_buf_ring_add(g->br, g->buffers + (size_t)bid * g->buffer_bytes, g->buffer_bytes, bid, mask, (int)i);
        }
        io_uring_buf_ring_advance(g->br, (int)g->return_count);
        g->return_count = 0;
    }
    for (unsigned i = 0; i < g->rearm_count; i++) (void)gen_arm_index(g, g->rearm[i]);
    g->rearm_count = 0;

    struct io_uring_cqe *cqe = NULL;
    struct __kernel_timespec ts = {.tv_sec = (long long)(timeout_ns / 1000000000ull),
                                   .tv_nsec = (long long)(timeout_ns % 1000000000ull)};
    int ret = io_uring_submit_and_wait_timeout(&g->ring, &cqe, 1, &ts, NULL);
    if (ret < 0 && ret != -ETIME && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY) return ret;

    unsigned produced = 0, seen = 0;
    unsigned head;
    io_uring_for_each_cqe(&g->ring, head, cqe) {
        if (produced == max || g->return_count == TDP_GEN_MAX_EVENTS) break;
        seen++;
        uint64_t data = cqe->user_data;
        if (data & TDP_GEN_SEND_FLAG) {
            unsigned slot = (unsigned)(data & 0xFFFFFFFFu);
            if (slot < g->slot_count) {
                g->free_slots[g->free_count++] = slot;
                if (cqe->res < 0) {
                    events[produced] = (tdp_uring_event){.kind = 1, .tag = g->slot_stream[slot]};
                    produced++;
                }
            }
            continue;
        }
        unsigned index = (unsigned)data;
        if (index >= g->armed_count) continue;
        int more = (cqe->flags & IORING_CQE_F_MORE) != 0;
        if (cqe->res >= 0 && (cqe->flags & IORING_CQE_F_BUFFER)) {
            unsigned short bid = (unsigned short)(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
            uint8_t *buffer = g->buffers + (size_t)bid * g->buffer_bytes;
            g->returns[g->return_count++] = bid;
            struct io_uring_recvmsg_out *o = io_uring_recvmsg_validate(buffer, cqe->res, &g->recv_template);
            if (o) {
                events[produced] = (tdp_uring_event){
                    .kind = 0,
                    .tag = g->armed_tag[index],
                    .payload = io_uring_recvmsg_payload(o, &g->recv_template),
                    .length = io_uring_recvmsg_payload_length(o, cqe->res, &g->recv_template),
                    .rx_ns = gen_rx_ns(o, &g->recv_template),
                };
                produced++;
            }
        }
        if (!more) {
            /* A multishot receive ends when buffers ran out (ENOBUFS), when the kernel could not post its CQE, or on
             * an error. Only a closed socket stays unarmed; anything else would silently stop one stream. */
            int res = cqe->res;
            if (res == -ENOBUFS) {
                g->rearms++;
            } else if (res < 0) {
                g->stopped++;
                g->last_stop_error = -res;
            }
            if (res != -ECANCELED && res != -EBADF && res != -ENOTSOCK) g->rearm[g->rearm_count++] = index;
        }
    }
    io_uring_cq_advance(&g->ring, seen);
    return (int)produced;
}
