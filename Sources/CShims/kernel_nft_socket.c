/*
 * The nfnetlink socket of the kernel offload: batches (one sendto each, acks counted) and request/dump round trips.
 */
#include "kernel_nft_internal.h"
#include <stdlib.h>
#include <sys/time.h>

/* 8 MiB: a few thousand entries' elements in one batch. SO_SNDBUFFORCE needs CAP_NET_ADMIN, which the relay
 * needs anyway; without it the socket keeps wmem_max and batches are split to fit. */
#define TDM_NFT_SOCKET_BUFFER (8u << 20)

int tdm_nft_open(tdm_nft **out) {
    *out = NULL;
    tdm_nft *nft = calloc(1, sizeof *nft);
    if (nft == NULL) return -ENOMEM;
    nft->nl = mnl_socket_open(NETLINK_NETFILTER);
    if (nft->nl == NULL) {
        int err = errno;
        free(nft);
        return -err;
    }
    if (mnl_socket_bind(nft->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        int err = errno;
        mnl_socket_close(nft->nl);
        free(nft);
        return -err;
    }
    int fd = mnl_socket_get_fd(nft->nl);
    int size = (int)TDM_NFT_SOCKET_BUFFER;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    int one = 1;
    /* Errors carry only the failing message's header, not the whole (possibly huge) message. */
    (void)mnl_socket_setsockopt(nft->nl, NETLINK_CAP_ACK, &one, sizeof one);
    /* A bounded wait: a lost ack must not hang the relay's control thread. */
    struct timeval timeout = {.tv_sec = 2, .tv_usec = 0};
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    int sndbuf = 0;
    socklen_t sndbuf_len = sizeof sndbuf;
    if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sndbuf_len) < 0 || sndbuf < 65536) sndbuf = 65536;
    /* The kernel rejects a message longer than sk_sndbuf - 32; keep a margin. */
    nft->max_batch_bytes = (size_t)sndbuf - 1024;
    nft->portid = mnl_socket_get_portid(nft->nl);
    nft->seq = (uint32_t)time(NULL);
    *out = nft;
    return 0;
}

void tdm_nft_close(tdm_nft *nft) {
    if (nft == NULL) return;
    mnl_socket_close(nft->nl);
    free(nft);
}

uint64_t tdm_nft_sendto_calls(const tdm_nft *nft) { return nft->sendto_calls; }
uint64_t tdm_nft_batches(const tdm_nft *nft) { return nft->batches; }
void tdm_nft_free(void *pointer) { free(pointer); }

int tdm_nft_batch_init(tdm_nft *nft, tdm_nft_batch *batch, size_t capacity) {
    batch->cap = capacity < 4096 ? 4096 : capacity;
    batch->buf = malloc(batch->cap);
    batch->len = 0;
    batch->acks = 0;
    if (batch->buf == NULL) return -ENOMEM;
    struct nlmsghdr *nlh = nftnl_batch_begin(batch->buf, tdm_nft_next_seq(nft));
    batch->len = MNL_ALIGN(nlh->nlmsg_len);
    return 0;
}

char *tdm_nft_batch_reserve(tdm_nft_batch *batch, size_t bytes) {
    if (batch->len + bytes > batch->cap) {
        size_t cap = batch->cap;
        while (batch->len + bytes > cap) cap *= 2;
        char *grown = realloc(batch->buf, cap);
        if (grown == NULL) return NULL;
        batch->buf = grown;
        batch->cap = cap;
    }
    memset(batch->buf + batch->len, 0, bytes);
    return batch->buf + batch->len;
}

void tdm_nft_batch_commit(tdm_nft_batch *batch, const struct nlmsghdr *nlh) {
    batch->len += MNL_ALIGN(nlh->nlmsg_len);
    if (nlh->nlmsg_flags & NLM_F_ACK) batch->acks++;
}

void tdm_nft_batch_discard(tdm_nft_batch *batch) {
    free(batch->buf);
    batch->buf = NULL;
}

/* Reads whatever is still queued without waiting, so that the next request starts on an empty socket. */
static void drain(tdm_nft *nft) {
    char buffer[MNL_SOCKET_BUFFER_SIZE];
    int fd = mnl_socket_get_fd(nft->nl);
    while (recv(fd, buffer, sizeof buffer, MSG_DONTWAIT) > 0) {}
}

/* Collects one NLMSG_ERROR per acked message; the first non-zero error wins. nf_tables delivers a failed batch's
 * errors together at the end, and a batch refused as a whole (EPERM) yields a single error: either way, stop at the
 * first error and drain the rest. */
static int collect_acks(tdm_nft *nft, unsigned expected) {
    static _Thread_local char buffer[1 << 16];
    while (expected > 0) {
        ssize_t n = mnl_socket_recvfrom(nft->nl, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
        }
        int first_error = 0;
        const struct nlmsghdr *nlh = (const struct nlmsghdr *)buffer;
        int remaining = (int)n;
        while (mnl_nlmsg_ok(nlh, remaining)) {
            if (nlh->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
                if (expected > 0) expected--;
                if (err->error != 0 && first_error == 0) first_error = err->error;
            }
            nlh = mnl_nlmsg_next(nlh, &remaining);
        }
        if (first_error != 0) {
            drain(nft);
            return first_error;
        }
    }
    return 0;
}

int tdm_nft_batch_send(tdm_nft *nft, tdm_nft_batch *batch) {
    char *end = tdm_nft_batch_reserve(batch, MNL_NLMSG_HDRLEN + 16);
    if (end == NULL) {
        tdm_nft_batch_discard(batch);
        return -ENOMEM;
    }
    struct nlmsghdr *nlh = nftnl_batch_end(end, tdm_nft_next_seq(nft));
    batch->len += MNL_ALIGN(nlh->nlmsg_len);
    nft->sendto_calls++;
    nft->batches++;
    ssize_t sent = mnl_socket_sendto(nft->nl, batch->buf, batch->len);
    int result = sent < 0 ? -errno : collect_acks(nft, batch->acks);
    tdm_nft_batch_discard(batch);
    return result;
}

int tdm_nft_request(tdm_nft *nft, struct nlmsghdr *request, mnl_cb_t cb, void *data) {
    static _Thread_local char buffer[1 << 16];
    uint32_t seq = request->nlmsg_seq;
    nft->sendto_calls++;
    if (mnl_socket_sendto(nft->nl, request, request->nlmsg_len) < 0) return -errno;
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(nft->nl, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
        }
        int ret = mnl_cb_run(buffer, (size_t)n, seq, nft->portid, cb, data);
        if (ret < 0) {
            int err = errno != 0 ? errno : EPROTO;
            drain(nft);
            return -err;
        }
        if (ret == MNL_CB_STOP) return 0;
    }
}

int tdm_nft_request_set_elems(tdm_nft *nft, const char *table, uint16_t proto, const char *map, mnl_cb_t cb,
                              void *data) {
    char buffer[1024];
    struct nftnl_set *set = nftnl_set_alloc();
    if (set == NULL) return -ENOMEM;
    nftnl_set_set_str(set, NFTNL_SET_TABLE, table);
    nftnl_set_set_str(set, NFTNL_SET_NAME, map);
    nftnl_set_set_u32(set, NFTNL_SET_FAMILY, proto);
    struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buffer, NFT_MSG_GETSETELEM, proto, NLM_F_DUMP,
                                                 tdm_nft_next_seq(nft));
    nftnl_set_elems_nlmsg_build_payload(nlh, set);
    nftnl_set_free(set);
    return tdm_nft_request(nft, nlh, cb, data);
}
