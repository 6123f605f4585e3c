#ifndef TANDEM_KERNEL_NFT_INTERNAL_H
#define TANDEM_KERNEL_NFT_INTERNAL_H
/* Shared between the kernel_nft_*.c files only: the socket state and the batch buffer. */
#include "CShims.h"

struct tdm_nft {
    struct mnl_socket *nl;
    uint32_t portid;
    uint32_t seq;
    uint64_t sendto_calls;
    uint64_t batches;
    /** Largest batch (bytes) the socket's send buffer accepts in one sendto. */
    size_t max_batch_bytes;
};

/** A growing buffer of netlink messages framed by NFNL_MSG_BATCH_BEGIN/END, sent with one sendto. */
typedef struct {
    char *buf;
    size_t cap;
    size_t len;
    unsigned acks; /* messages that carry NLM_F_ACK: the kernel answers each with one NLMSG_ERROR */
} tdm_nft_batch;

int tdm_nft_batch_init(tdm_nft *nft, tdm_nft_batch *batch, size_t capacity);
/** Makes room for `bytes` more and returns where the next message starts (NULL when out of memory). */
char *tdm_nft_batch_reserve(tdm_nft_batch *batch, size_t bytes);
/** Accounts for the message just built at the reserved position. */
void tdm_nft_batch_commit(tdm_nft_batch *batch, const struct nlmsghdr *nlh);
/** Appends BATCH_END, sends everything with one sendto and counts the acks. Frees the buffer. 0 or -errno. */
int tdm_nft_batch_send(tdm_nft *nft, tdm_nft_batch *batch);
void tdm_nft_batch_discard(tdm_nft_batch *batch);

/** Sends one request and feeds every reply to `cb` until NLMSG_DONE or the ack. 0 or -errno. */
int tdm_nft_request(tdm_nft *nft, struct nlmsghdr *request, mnl_cb_t cb, void *data);
/* One GETSETELEM dump of set `map` in `table`; every reply message goes to `cb` with `data`. */
int tdm_nft_request_set_elems(tdm_nft *nft, const char *table, uint16_t proto, const char *map, mnl_cb_t cb,
                              void *data);

static inline uint32_t tdm_nft_next_seq(tdm_nft *nft) { return ++nft->seq; }

/* The netfilter protocol family of one TDM_NFT_FAMILY_* bit (and of an entry's ip_version). */
static inline uint16_t tdm_nft_proto(uint32_t family) { return family == TDM_NFT_FAMILY_IP6 ? NFPROTO_IPV6 : NFPROTO_IPV4; }
static inline uint16_t tdm_nft_proto_of_version(uint8_t version) { return version == 6 ? NFPROTO_IPV6 : NFPROTO_IPV4; }

#endif
