/*
 * The relay's nftables table, built object by object exactly as `nft -f` builds the shape documented in
 * Sources/Relay/Kernel/README.md (compare with `nft --debug=netlink list ruleset`).
 */
#include "kernel_nft_internal.h"
#include <stdlib.h>
#include <libnftnl/udata.h>
#include <netinet/ip6.h>

/* nft's datatype numbers (src/datatype.h) and its concatenation encoding: 6 bits per component. */
enum { TDM_TYPE_IPADDR = 7, TDM_TYPE_IP6ADDR = 8, TDM_TYPE_INET_SERVICE = 13, TDM_TYPE_MARK = 19,
       TDM_TYPE_BITS = 6 };
/* The concatenated key starts in NFT_REG_1 (= NFT_REG32_00); each component is padded to 4 bytes. IPv4: 16 bytes,
 * saddr REG32_00, sport 01, daddr 02, dport 03. IPv6: 40 bytes, saddr REG32_00..03, sport 04, daddr 05..08,
 * dport 09 (nft allocates the same registers for `ip6 saddr . udp sport . ip6 daddr . udp dport`). */
enum { TDM_REG_KEY = NFT_REG_1 };

/* What differs between the two families' tables: header offsets, address length, datatype, and whether an address
 * write has an IP header checksum to fix (IPv4) or only the UDP pseudo-header (IPv6 has no header checksum). */
typedef struct {
    uint16_t proto;
    uint32_t addr_len;
    uint32_t addr_type;
    uint32_t saddr_offset;
    uint32_t daddr_offset;
    uint32_t reg_sport, reg_daddr, reg_dport;
    uint32_t addr_csum_type;
    uint32_t addr_csum_offset;
} family_shape;

static const family_shape ipv4_shape = {NFPROTO_IPV4, 4, TDM_TYPE_IPADDR, offsetof(struct iphdr, saddr),
                                        offsetof(struct iphdr, daddr), NFT_REG32_01, NFT_REG32_02, NFT_REG32_03,
                                        NFT_PAYLOAD_CSUM_INET, offsetof(struct iphdr, check)};
static const family_shape ipv6_shape = {NFPROTO_IPV6, 16, TDM_TYPE_IP6ADDR, offsetof(struct ip6_hdr, ip6_src),
                                        offsetof(struct ip6_hdr, ip6_dst), NFT_REG32_04, NFT_REG32_05,
                                        NFT_REG32_09, NFT_PAYLOAD_CSUM_NONE, 0};
/* nft's byte order hints (src/expression.h), kept in the set's user data only so that `nft list` prints marks,
 * addresses and ports the right way round; the kernel ignores them. */
enum { TDM_BYTEORDER_NONE = 0, TDM_BYTEORDER_HOST = 1, TDM_BYTEORDER_BIG = 2 };
enum { TDM_SET_ID_LEG = 1, TDM_SET_ID_DADDR, TDM_SET_ID_DPORT, TDM_SET_ID_SADDR, TDM_SET_ID_SPORT };

static int append_table(tdm_nft *nft, tdm_nft_batch *batch, uint16_t proto, const char *name, uint16_t type,
                        uint16_t flags) {
    struct nftnl_table *table = nftnl_table_alloc();
    if (table == NULL) return -ENOMEM;
    nftnl_table_set_str(table, NFTNL_TABLE_NAME, name);
    nftnl_table_set_u32(table, NFTNL_TABLE_FAMILY, proto);
    if (type == NFT_MSG_NEWTABLE) nftnl_table_set_u32(table, NFTNL_TABLE_FLAGS, 0);
    char *at = tdm_nft_batch_reserve(batch, 512);
    if (at == NULL) {
        nftnl_table_free(table);
        return -ENOMEM;
    }
    struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(at, type, proto, flags | NLM_F_ACK, tdm_nft_next_seq(nft));
    nftnl_table_nlmsg_build_payload(nlh, table);
    tdm_nft_batch_commit(batch, nlh);
    nftnl_table_free(table);
    return 0;
}

static int append_map(tdm_nft *nft, tdm_nft_batch *batch, uint16_t proto, const char *table, const char *name,
                      uint32_t id,
                      uint32_t key_type, uint32_t key_len, uint32_t data_type, uint32_t data_len, int counter,
                      uint32_t key_order, uint32_t data_order, uint32_t capacity) {
    struct nftnl_set *set = nftnl_set_alloc();
    if (set == NULL) return -ENOMEM;
    nftnl_set_set_str(set, NFTNL_SET_TABLE, table);
    nftnl_set_set_str(set, NFTNL_SET_NAME, name);
    nftnl_set_set_u32(set, NFTNL_SET_FAMILY, proto);
    nftnl_set_set_u32(set, NFTNL_SET_FLAGS, NFT_SET_MAP);
    nftnl_set_set_u32(set, NFTNL_SET_KEY_TYPE, key_type);
    nftnl_set_set_u32(set, NFTNL_SET_KEY_LEN, key_len);
    nftnl_set_set_u32(set, NFTNL_SET_DATA_TYPE, data_type);
    nftnl_set_set_u32(set, NFTNL_SET_DATA_LEN, data_len);
    nftnl_set_set_u32(set, NFTNL_SET_ID, id);
    /* A declared size makes the kernel pick its fixed-size hash instead of the resizable rhashtable. Why: a dump
     * longer than one netlink message (~300 legs) is resumed by skipping the elements already sent, and an
     * rhashtable that grows or shrinks in between reorders its walk, so elements were missed (826 of 1000). */
    if (capacity > 0) nftnl_set_set_u32(set, NFTNL_SET_DESC_SIZE, capacity);
    struct nftnl_udata_buf *udata = nftnl_udata_buf_alloc(64);
    if (udata == NULL) {
        nftnl_set_free(set);
        return -ENOMEM;
    }
    if (key_order != TDM_BYTEORDER_NONE) nftnl_udata_put_u32(udata, NFTNL_UDATA_SET_KEYBYTEORDER, key_order);
    nftnl_udata_put_u32(udata, NFTNL_UDATA_SET_DATABYTEORDER, data_order);
    nftnl_set_set_data(set, NFTNL_SET_USERDATA, nftnl_udata_buf_data(udata), nftnl_udata_buf_len(udata));
    nftnl_udata_buf_free(udata);
    if (counter) {
        /* A set-level counter: the kernel gives every element added without expressions its own copy. */
        struct nftnl_expr *expr = nftnl_expr_alloc("counter");
        if (expr == NULL) {
            nftnl_set_free(set);
            return -ENOMEM;
        }
        nftnl_set_add_expr(set, expr);
    }
    char *at = tdm_nft_batch_reserve(batch, 1024);
    if (at == NULL) {
        nftnl_set_free(set);
        return -ENOMEM;
    }
    struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(at, NFT_MSG_NEWSET, proto,
                                                 NLM_F_CREATE | NLM_F_ACK, tdm_nft_next_seq(nft));
    nftnl_set_nlmsg_build_payload(nlh, set);
    tdm_nft_batch_commit(batch, nlh);
    nftnl_set_free(set);
    return 0;
}

static int append_chain(tdm_nft *nft, tdm_nft_batch *batch, uint16_t proto, const char *table, const char *name,
                        uint32_t hook, int32_t priority) {
    struct nftnl_chain *chain = nftnl_chain_alloc();
    if (chain == NULL) return -ENOMEM;
    nftnl_chain_set_str(chain, NFTNL_CHAIN_TABLE, table);
    nftnl_chain_set_str(chain, NFTNL_CHAIN_NAME, name);
    nftnl_chain_set_u32(chain, NFTNL_CHAIN_FAMILY, proto);
    nftnl_chain_set_str(chain, NFTNL_CHAIN_TYPE, "filter");
    nftnl_chain_set_u32(chain, NFTNL_CHAIN_HOOKNUM, hook);
    nftnl_chain_set_s32(chain, NFTNL_CHAIN_PRIO, priority);
    nftnl_chain_set_u32(chain, NFTNL_CHAIN_POLICY, NF_ACCEPT);
    char *at = tdm_nft_batch_reserve(batch, 1024);
    if (at == NULL) {
        nftnl_chain_free(chain);
        return -ENOMEM;
    }
    struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(at, NFT_MSG_NEWCHAIN, proto,
                                                 NLM_F_CREATE | NLM_F_ACK, tdm_nft_next_seq(nft));
    nftnl_chain_nlmsg_build_payload(nlh, chain);
    tdm_nft_batch_commit(batch, nlh);
    nftnl_chain_free(chain);
    return 0;
}

/* ---- expressions --------------------------------------------------------------------------------------------- */

static void add_expr(struct nftnl_rule *rule, struct nftnl_expr *expr) { nftnl_rule_add_expr(rule, expr); }

static void meta_load(struct nftnl_rule *rule, uint32_t key, uint32_t dreg) {
    struct nftnl_expr *e = nftnl_expr_alloc("meta");
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
    add_expr(rule, e);
}

static void meta_store(struct nftnl_rule *rule, uint32_t key, uint32_t sreg) {
    struct nftnl_expr *e = nftnl_expr_alloc("meta");
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
    nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, sreg);
    add_expr(rule, e);
}

static void compare(struct nftnl_rule *rule, uint32_t sreg, uint32_t op, const void *data, uint32_t len) {
    struct nftnl_expr *e = nftnl_expr_alloc("cmp");
    nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
    nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
    add_expr(rule, e);
}

static void payload_load(struct nftnl_rule *rule, uint32_t base, uint32_t offset, uint32_t len, uint32_t dreg) {
    struct nftnl_expr *e = nftnl_expr_alloc("payload");
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
    add_expr(rule, e);
}

/* A header write that keeps checksums right: `csum_offset` is the checksum the kernel updates incrementally (the
 * IPv4 header checksum for addresses, the UDP checksum for ports; `csum_type` NONE for an IPv6 address, which has
 * no header checksum); `flags` NFT_PAYLOAD_L4CSUM_PSEUDOHDR makes an address change also fix the UDP checksum,
 * whose pseudo-header contains both addresses. */
static void payload_store(struct nftnl_rule *rule, uint32_t base, uint32_t offset, uint32_t len, uint32_t sreg,
                          uint32_t csum_type, uint32_t csum_offset, uint32_t flags) {
    struct nftnl_expr *e = nftnl_expr_alloc("payload");
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_SREG, sreg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_CSUM_TYPE, csum_type);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_CSUM_OFFSET, csum_offset);
    nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_FLAGS, flags);
    add_expr(rule, e);
}

static void mask_register(struct nftnl_rule *rule, uint32_t reg, uint32_t mask) {
    uint32_t zero = 0;
    struct nftnl_expr *e = nftnl_expr_alloc("bitwise");
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, reg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, reg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, sizeof mask);
    nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, sizeof mask);
    nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &zero, sizeof zero);
    add_expr(rule, e);
}

static void lookup(struct nftnl_rule *rule, const char *set, uint32_t set_id, uint32_t sreg, uint32_t dreg) {
    struct nftnl_expr *e = nftnl_expr_alloc("lookup");
    nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
    nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
    nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
    nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, dreg);
    add_expr(rule, e);
}

static void require_udp(struct nftnl_rule *rule) {
    uint8_t udp = IPPROTO_UDP;
    meta_load(rule, NFT_META_L4PROTO, NFT_REG_1);
    compare(rule, NFT_REG_1, NFT_CMP_EQ, &udp, sizeof udp);
}

/* `meta mark & mask` into reg 1. */
static void load_our_mark(struct nftnl_rule *rule, uint32_t mask) {
    meta_load(rule, NFT_META_MARK, NFT_REG_1);
    mask_register(rule, NFT_REG_1, mask);
}

/* `meta mark & mask != 0`: the packet was classified by the pre chain. */
static void require_our_mark(struct nftnl_rule *rule, uint32_t mask) {
    uint32_t zero = 0;
    load_our_mark(rule, mask);
    compare(rule, NFT_REG_1, NFT_CMP_NEQ, &zero, sizeof zero);
}

/* `<field> set meta mark & mask map @map`. */
static void rewrite_from_map(struct nftnl_rule *rule, uint32_t mask, const char *map, uint32_t set_id,
                             uint32_t base, uint32_t offset, uint32_t len, uint32_t csum_type, uint32_t csum_offset,
                             uint32_t flags) {
    load_our_mark(rule, mask);
    lookup(rule, map, set_id, NFT_REG_1, NFT_REG_1);
    payload_store(rule, base, offset, len, NFT_REG_1, csum_type, csum_offset, flags);
}

static struct nftnl_rule *new_rule(const family_shape *shape, const char *table, const char *chain) {
    struct nftnl_rule *rule = nftnl_rule_alloc();
    if (rule == NULL) return NULL;
    nftnl_rule_set_str(rule, NFTNL_RULE_TABLE, table);
    nftnl_rule_set_str(rule, NFTNL_RULE_CHAIN, chain);
    nftnl_rule_set_u32(rule, NFTNL_RULE_FAMILY, shape->proto);
    return rule;
}

/* pre, rule 1: meta mark set ip saddr . udp sport . ip daddr . udp dport map @leg_mark notrack
 * (ip6: ip6 saddr . udp sport . ip6 daddr . udp dport) */
static struct nftnl_rule *classify_rule(const family_shape *shape, const char *table) {
    struct nftnl_rule *rule = new_rule(shape, table, "pre");
    if (rule == NULL) return NULL;
    require_udp(rule);
    payload_load(rule, NFT_PAYLOAD_NETWORK_HEADER, shape->saddr_offset, shape->addr_len, TDM_REG_KEY);
    payload_load(rule, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, shape->reg_sport);
    payload_load(rule, NFT_PAYLOAD_NETWORK_HEADER, shape->daddr_offset, shape->addr_len, shape->reg_daddr);
    payload_load(rule, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, shape->reg_dport);
    lookup(rule, TDM_NFT_LEG_MAP, TDM_SET_ID_LEG, TDM_REG_KEY, NFT_REG_1);
    meta_store(rule, NFT_META_MARK, NFT_REG_1);
    add_expr(rule, nftnl_expr_alloc("notrack"));
    return rule;
}

/* pre, rule 2: meta mark & M != 0 ip daddr set meta mark & M map @out_daddr udp dport set … map @out_dport */
static struct nftnl_rule *destination_rule(const family_shape *shape, const char *table, uint32_t mask) {
    struct nftnl_rule *rule = new_rule(shape, table, "pre");
    if (rule == NULL) return NULL;
    require_our_mark(rule, mask);
    rewrite_from_map(rule, mask, TDM_NFT_OUT_DADDR, TDM_SET_ID_DADDR, NFT_PAYLOAD_NETWORK_HEADER,
                     shape->daddr_offset, shape->addr_len, shape->addr_csum_type, shape->addr_csum_offset,
                     NFT_PAYLOAD_L4CSUM_PSEUDOHDR);
    require_udp(rule);
    rewrite_from_map(rule, mask, TDM_NFT_OUT_DPORT, TDM_SET_ID_DPORT, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2,
                     NFT_PAYLOAD_CSUM_INET, offsetof(struct udphdr, check), 0);
    return rule;
}

/* post: meta mark & M != 0 ip saddr set meta mark & M map @out_saddr udp sport set … map @out_sport */
static struct nftnl_rule *source_rule(const family_shape *shape, const char *table, uint32_t mask) {
    struct nftnl_rule *rule = new_rule(shape, table, "post");
    if (rule == NULL) return NULL;
    require_our_mark(rule, mask);
    rewrite_from_map(rule, mask, TDM_NFT_OUT_SADDR, TDM_SET_ID_SADDR, NFT_PAYLOAD_NETWORK_HEADER,
                     shape->saddr_offset, shape->addr_len, shape->addr_csum_type, shape->addr_csum_offset,
                     NFT_PAYLOAD_L4CSUM_PSEUDOHDR);
    require_udp(rule);
    rewrite_from_map(rule, mask, TDM_NFT_OUT_SPORT, TDM_SET_ID_SPORT, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2,
                     NFT_PAYLOAD_CSUM_INET, offsetof(struct udphdr, check), 0);
    return rule;
}

static int append_rule(tdm_nft *nft, tdm_nft_batch *batch, uint16_t proto, struct nftnl_rule *rule) {
    if (rule == NULL) return -ENOMEM;
    char *at = tdm_nft_batch_reserve(batch, 4096);
    if (at == NULL) {
        nftnl_rule_free(rule);
        return -ENOMEM;
    }
    struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(at, NFT_MSG_NEWRULE, proto,
                                                 NLM_F_APPEND | NLM_F_CREATE | NLM_F_ACK, tdm_nft_next_seq(nft));
    nftnl_rule_nlmsg_build_payload(nlh, rule);
    tdm_nft_batch_commit(batch, nlh);
    nftnl_rule_free(rule);
    return 0;
}

/* Appends one family's create-delete-create of `table` with its maps, chains and rules. */
static int append_family_table(tdm_nft *nft, tdm_nft_batch *batch, const family_shape *shape, const char *table,
                               uint32_t mark_mask, uint32_t capacity) {
    uint16_t p = shape->proto;
    uint32_t a = shape->addr_type;
    uint32_t leg_key = a;
    leg_key = (leg_key << TDM_TYPE_BITS) | TDM_TYPE_INET_SERVICE;
    leg_key = (leg_key << TDM_TYPE_BITS) | a;
    leg_key = (leg_key << TDM_TYPE_BITS) | TDM_TYPE_INET_SERVICE;
    /* Each component padded to 4 bytes: 16 bytes for IPv4, 40 for IPv6. */
    uint32_t leg_key_len = 2 * shape->addr_len + 8;
    int err;
    /* Create-delete-create: whatever an earlier run left under this name goes, in the same transaction. */
    if ((err = append_table(nft, batch, p, table, NFT_MSG_NEWTABLE, NLM_F_CREATE)) ||
        (err = append_table(nft, batch, p, table, NFT_MSG_DELTABLE, 0)) ||
        (err = append_table(nft, batch, p, table, NFT_MSG_NEWTABLE, NLM_F_CREATE)) ||
        (err = append_map(nft, batch, p, table, TDM_NFT_LEG_MAP, TDM_SET_ID_LEG, leg_key, leg_key_len,
                          TDM_TYPE_MARK, 4, 1, TDM_BYTEORDER_NONE, TDM_BYTEORDER_HOST, capacity)) ||
        (err = append_map(nft, batch, p, table, TDM_NFT_OUT_DADDR, TDM_SET_ID_DADDR, TDM_TYPE_MARK, 4, a,
                          shape->addr_len, 0, TDM_BYTEORDER_HOST, TDM_BYTEORDER_BIG, capacity)) ||
        (err = append_map(nft, batch, p, table, TDM_NFT_OUT_DPORT, TDM_SET_ID_DPORT, TDM_TYPE_MARK, 4,
                          TDM_TYPE_INET_SERVICE, 2, 0, TDM_BYTEORDER_HOST, TDM_BYTEORDER_BIG, capacity)) ||
        (err = append_map(nft, batch, p, table, TDM_NFT_OUT_SADDR, TDM_SET_ID_SADDR, TDM_TYPE_MARK, 4, a,
                          shape->addr_len, 0, TDM_BYTEORDER_HOST, TDM_BYTEORDER_BIG, capacity)) ||
        (err = append_map(nft, batch, p, table, TDM_NFT_OUT_SPORT, TDM_SET_ID_SPORT, TDM_TYPE_MARK, 4,
                          TDM_TYPE_INET_SERVICE, 2, 0, TDM_BYTEORDER_HOST, TDM_BYTEORDER_BIG, capacity)) ||
        (err = append_chain(nft, batch, p, table, "pre", NF_INET_PRE_ROUTING, -300 /* raw: before conntrack */)) ||
        (err = append_chain(nft, batch, p, table, "post", NF_INET_POST_ROUTING, 100 /* srcnat */)) ||
        (err = append_rule(nft, batch, p, classify_rule(shape, table))) ||
        (err = append_rule(nft, batch, p, destination_rule(shape, table, mark_mask))) ||
        (err = append_rule(nft, batch, p, source_rule(shape, table, mark_mask)))) {
        return err;
    }
    return 0;
}

int tdm_nft_create_table(tdm_nft *nft, const char *table, uint32_t mark_mask, uint32_t capacity, uint32_t families) {
    tdm_nft_batch batch;
    int err = tdm_nft_batch_init(nft, &batch, 32768);
    if (err) return err;
    /* Both families in one transaction: the relay never sees one table without the other. */
    if (((families & TDM_NFT_FAMILY_IP) &&
         (err = append_family_table(nft, &batch, &ipv4_shape, table, mark_mask, capacity))) ||
        ((families & TDM_NFT_FAMILY_IP6) &&
         (err = append_family_table(nft, &batch, &ipv6_shape, table, mark_mask, capacity)))) {
        tdm_nft_batch_discard(&batch);
        return err;
    }
    return tdm_nft_batch_send(nft, &batch);
}

int tdm_nft_delete_table(tdm_nft *nft, const char *table, uint32_t families) {
    tdm_nft_batch batch;
    int err = tdm_nft_batch_init(nft, &batch, 4096);
    if (err) return err;
    /* Create (a no-op when it exists) then delete, per family: one transaction that succeeds whether either table
     * exists or not, so a half-present pair (a table from an IPv4-only version) is removed too. */
    for (uint32_t family = TDM_NFT_FAMILY_IP; family <= TDM_NFT_FAMILY_IP6; family <<= 1) {
        if (!(families & family)) continue;
        uint16_t p = tdm_nft_proto(family);
        if ((err = append_table(nft, &batch, p, table, NFT_MSG_NEWTABLE, NLM_F_CREATE)) ||
            (err = append_table(nft, &batch, p, table, NFT_MSG_DELTABLE, 0))) {
            tdm_nft_batch_discard(&batch);
            return err;
        }
    }
    err = tdm_nft_batch_send(nft, &batch);
    return err == -ENOENT ? 0 : err;
}

static int table_reply(const struct nlmsghdr *nlh, void *data) {
    (void)nlh;
    *(int *)data = 1;
    return MNL_CB_OK;
}

int tdm_nft_table_exists(tdm_nft *nft, const char *table, uint32_t family) {
    char buffer[1024];
    struct nftnl_table *t = nftnl_table_alloc();
    if (t == NULL) return -ENOMEM;
    nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
    struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buffer, NFT_MSG_GETTABLE, tdm_nft_proto(family), NLM_F_ACK,
                                                 tdm_nft_next_seq(nft));
    nftnl_table_nlmsg_build_payload(nlh, t);
    nftnl_table_free(t);
    int found = 0;
    int err = tdm_nft_request(nft, nlh, table_reply, &found);
    if (err == -ENOENT) return 0;
    return err ? err : found;
}
