/*
 * The counter read: one GETSETELEM dump of `leg_mark`, its netlink attributes walked in place.
 *
 * Why not libnftnl here: its parser allocates an nftnl_set_elem per element, copies key and data into it, allocates
 * an nftnl_expr for the counter (found by name), links them into a list, and the caller then walks that list and
 * frees it all. The relay reads this dump every 1-5 s for every offloaded direction, so the parse runs straight
 * over the receive buffer into one growing array of tdm_nft_leg: no allocation per element. Every attribute is
 * bounds-checked by libmnl's iterators (mnl_attr_ok); a malformed element is skipped, never read past.
 * The mark-keyed maps (read only on adoption) keep the libnftnl path in kernel_nft_elements.c.
 */
#include "kernel_nft_internal.h"
#include <endian.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdlib.h>

typedef struct {
    tdm_nft_leg *legs;
    size_t count;
    size_t capacity;
    uint8_t version;
    int out_of_memory;
} leg_sink;

/* The NFTA_DATA_VALUE inside a NFTA_SET_ELEM_KEY/DATA nest; NULL if absent. */
static const void *data_value(const struct nlattr *nest, uint16_t *len) {
    const struct nlattr *a;
    mnl_attr_for_each_nested(a, nest) {
        if (mnl_attr_get_type(a) == NFTA_DATA_VALUE) {
            *len = mnl_attr_get_payload_len(a);
            return mnl_attr_get_payload(a);
        }
    }
    return NULL;
}

static uint64_t be64_attr(const struct nlattr *a) {
    uint64_t v;
    memcpy(&v, mnl_attr_get_payload(a), sizeof v);
    return be64toh(v);
}

/* One expression nest (NFTA_EXPR_NAME, NFTA_EXPR_DATA): reads it into `leg` if it is a counter. */
static void read_counter(const struct nlattr *expr, tdm_nft_leg *leg) {
    static const char name[] = "counter";
    const struct nlattr *a, *data = NULL;
    int is_counter = 0;
    mnl_attr_for_each_nested(a, expr) {
        switch (mnl_attr_get_type(a)) {
        case NFTA_EXPR_NAME:
            /* The kernel sends the name with its NUL; compare the payload bytes, never strcmp past it. */
            is_counter = mnl_attr_get_payload_len(a) >= sizeof name - 1 &&
                         memcmp(mnl_attr_get_payload(a), name, sizeof name - 1) == 0 &&
                         (mnl_attr_get_payload_len(a) == sizeof name - 1 ||
                          ((const char *)mnl_attr_get_payload(a))[sizeof name - 1] == '\0');
            break;
        case NFTA_EXPR_DATA: data = a; break;
        default: break;
        }
    }
    if (!is_counter || data == NULL) return;
    uint64_t packets = 0, bytes = 0;
    mnl_attr_for_each_nested(a, data) {
        if (mnl_attr_get_payload_len(a) != sizeof(uint64_t)) continue;
        if (mnl_attr_get_type(a) == NFTA_COUNTER_PACKETS) packets = be64_attr(a);
        else if (mnl_attr_get_type(a) == NFTA_COUNTER_BYTES) bytes = be64_attr(a);
    }
    leg->packets = packets;
    leg->bytes = bytes;
    leg->has_counter = 1;
}

/* One NFTA_LIST_ELEM of the element list; appends it to the sink when its key and mark have the expected sizes. */
static void read_element(const struct nlattr *element, leg_sink *sink) {
    const uint8_t *key = NULL;
    const void *value = NULL;
    uint16_t key_len = 0, data_len = 0;
    const struct nlattr *a, *expr = NULL, *exprs = NULL;
    mnl_attr_for_each_nested(a, element) {
        switch (mnl_attr_get_type(a)) {
        case NFTA_SET_ELEM_KEY: key = data_value(a, &key_len); break;
        case NFTA_SET_ELEM_DATA: value = data_value(a, &data_len); break;
        case NFTA_SET_ELEM_EXPR: expr = a; break;          /* one expression (the set-level counter) */
        case NFTA_SET_ELEM_EXPRESSIONS: exprs = a; break;  /* a list, when a set has more than one */
        default: break;
        }
    }
    uint32_t addr = sink->version == 6 ? 16 : 4;
    if (key == NULL || key_len != 2 * addr + 8 || value == NULL || data_len != 4) return;
    if (sink->count == sink->capacity) {
        size_t capacity = sink->capacity ? sink->capacity * 2 : 1024;
        tdm_nft_leg *grown = realloc(sink->legs, capacity * sizeof *grown);
        if (grown == NULL) {
            sink->out_of_memory = 1;
            return;
        }
        sink->legs = grown;
        sink->capacity = capacity;
    }
    tdm_nft_leg *leg = &sink->legs[sink->count++];
    memset(leg, 0, sizeof *leg);
    uint16_t port;
    leg->ip_version = sink->version;
    memcpy(leg->peer_addr, key, addr);
    memcpy(&port, key + addr, 2);
    leg->peer_port = ntohs(port);
    memcpy(leg->local_addr, key + addr + 4, addr);
    memcpy(&port, key + 2 * addr + 4, 2);
    leg->local_port = ntohs(port);
    memcpy(&leg->mark, value, 4);
    if (expr != NULL) read_counter(expr, leg);
    if (exprs != NULL) {
        const struct nlattr *e;
        mnl_attr_for_each_nested(e, exprs) {
            if (mnl_attr_get_type(e) == NFTA_LIST_ELEM) read_counter(e, leg);
        }
    }
}

static int legs_reply(const struct nlmsghdr *nlh, void *data) {
    leg_sink *sink = data;
    const struct nlattr *a;
    mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
        if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS) continue;
        const struct nlattr *element;
        mnl_attr_for_each_nested(element, a) {
            if (mnl_attr_get_type(element) == NFTA_LIST_ELEM) read_element(element, sink);
            if (sink->out_of_memory) {
                errno = ENOMEM;
                return MNL_CB_ERROR;
            }
        }
    }
    return MNL_CB_OK;
}

/* One GETSETELEM dump request of `leg_mark` (built by libnftnl: a few attributes, once per dump). */
static int request_legs(tdm_nft *nft, const char *table, uint16_t proto, leg_sink *sink) {
    return tdm_nft_request_set_elems(nft, table, proto, TDM_NFT_LEG_MAP, legs_reply, sink);
}

int tdm_nft_dump_legs(tdm_nft *nft, const char *table, uint32_t family, tdm_nft_leg **out, size_t *count) {
    *out = NULL;
    *count = 0;
    leg_sink sink = {NULL, 0, 0, family == TDM_NFT_FAMILY_IP6 ? 6 : 4, 0};
    /* A dump that a concurrent change interrupted (NLM_F_DUMP_INTR, -EINTR) may be incomplete: start again, at
     * most three times (a table changing faster than it can be dumped three times is an error). */
    int err = -EINTR;
    for (int attempt = 0; attempt < 3 && err == -EINTR; attempt++) {
        sink.count = 0;
        err = request_legs(nft, table, tdm_nft_proto(family), &sink);
    }
    if (err) {
        free(sink.legs);
        return err;
    }
    *out = sink.legs;
    *count = sink.count;
    return 0;
}
