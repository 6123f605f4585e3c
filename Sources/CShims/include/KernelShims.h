#ifndef TANDEM_KERNEL_SHIMS_H
#define TANDEM_KERNEL_SHIMS_H
/*
 * C side of the kernel offload (Sources/Relay/Kernel): builds the relay's own nftables table, its maps and their
 * elements through libnftnl, and talks nfnetlink through libmnl.
 *
 * Why C: libnftnl's object model (tables, sets, rules, expressions, element lists) is a C API of opaque objects and
 * attribute setters, and the netlink framing (batch begin/end, acks, dumps) is pointer arithmetic on one buffer.
 * Swift sees only value structs and functions returning 0 or -errno.
 *
 * Every function works on the network namespace the socket was opened in (tdm_nft_open on a thread that entered
 * the namespace), whichever thread calls it later. One tdm_nft must not be used by two threads at once.
 *
 * Included from CShims.h after the glibc, libmnl and libnftnl headers.
 */
#include <stdint.h>
#include <stddef.h>

/** An open nfnetlink socket plus its sequence counter and syscall statistics. */
typedef struct tdm_nft tdm_nft;

/** Names of the table's objects, shared by the builder and the dumps. */
#define TDM_NFT_LEG_MAP "leg_mark"
#define TDM_NFT_OUT_DADDR "out_daddr"
#define TDM_NFT_OUT_DPORT "out_dport"
#define TDM_NFT_OUT_SADDR "out_saddr"
#define TDM_NFT_OUT_SPORT "out_sport"

/** Table families, combinable: the relay keeps one table of the same name per family (`ip` and `ip6`). */
#define TDM_NFT_FAMILY_IP 1u
#define TDM_NFT_FAMILY_IP6 2u
#define TDM_NFT_FAMILY_BOTH (TDM_NFT_FAMILY_IP | TDM_NFT_FAMILY_IP6)

/**
 * One relayed leg as the kernel sees it. `ip_version` (4 or 6) picks the table; every address of the entry is of
 * that family. Addresses are the bytes as on the wire (the first 4 of the 16 for IPv4), ports in host byte order.
 * `with_leg` says whether the `leg_mark` element (key → mark) is part of the operation; the four rewrite elements
 * (mark → field) always are.
 */
typedef struct {
    uint8_t ip_version;
    uint8_t with_leg;
    uint16_t peer_port;
    uint16_t local_port;
    uint16_t out_sport;
    uint16_t out_dport;
    uint32_t mark;
    uint8_t peer_addr[16];
    uint8_t local_addr[16];
    uint8_t out_saddr[16];
    uint8_t out_daddr[16];
} tdm_nft_entry;

/** One `leg_mark` element read back: its family, key, mark and per-element counter. */
typedef struct {
    uint8_t ip_version;
    uint8_t has_counter;
    uint16_t peer_port;
    uint16_t local_port;
    uint32_t mark;
    uint8_t peer_addr[16];
    uint8_t local_addr[16];
    uint64_t packets;
    uint64_t bytes;
} tdm_nft_leg;

/**
 * One element of a mark-keyed rewrite map read back: the mark and the value, an address (`address_len` 4 or 16,
 * wire order) or a port (`address_len` 0, `port` in host order).
 */
typedef struct {
    uint32_t mark;
    uint16_t port;
    uint8_t address_len;
    uint8_t address[16];
} tdm_nft_mark_value;

/** Opens and binds the socket (0 or -errno). Sizes its buffers so that large batches fit one sendto. */
int tdm_nft_open(tdm_nft **out);
void tdm_nft_close(tdm_nft *nft);
/** How many sendto(2) calls this socket has made (batches and dump requests). */
uint64_t tdm_nft_sendto_calls(const tdm_nft *nft);
/** How many batches this socket has sent. */
uint64_t tdm_nft_batches(const tdm_nft *nft);

/**
 * One batch: (re)creates `table` in each family of `families` (TDM_NFT_FAMILY_*) with its five maps, the `pre`
 * and `post` chains and their rules. An existing table of that name and family is deleted in the same
 * transaction. `mark_mask` selects the skb mark bits the rules test and look up. `capacity` (the most legs the
 * mask allows; 0 = unsized) sizes every map, so the kernel uses a fixed-size hash whose dumps stay complete.
 */
int tdm_nft_create_table(tdm_nft *nft, const char *table, uint32_t mark_mask, uint32_t capacity, uint32_t families);
/** One batch deleting `table` in each family of `families`; a missing table is success. */
int tdm_nft_delete_table(tdm_nft *nft, const char *table, uint32_t families);
/** 1 if `table` exists in `family` (one TDM_NFT_FAMILY_* bit), 0 if not, -errno on failure. */
int tdm_nft_table_exists(tdm_nft *nft, const char *table, uint32_t family);

/**
 * Deletes the elements of `removals` and then adds those of `additions`, in as few batches as the socket buffer
 * allows (one for up to a few thousand entries). Each batch is one transaction; it may touch both families'
 * tables (each entry goes to the table of its `ip_version`).
 */
int tdm_nft_commit(tdm_nft *nft, const char *table, const tdm_nft_entry *removals, size_t removal_count,
                   const tdm_nft_entry *additions, size_t addition_count);

/** One dump of `leg_mark` of `family` (one bit) with counters. `*out` is malloc'ed (free with tdm_nft_free). */
int tdm_nft_dump_legs(tdm_nft *nft, const char *table, uint32_t family, tdm_nft_leg **out, size_t *count);
/** One dump of a mark-keyed map (TDM_NFT_OUT_*) of `family`. `*out` is malloc'ed (free with tdm_nft_free). */
int tdm_nft_dump_mark_map(tdm_nft *nft, const char *table, uint32_t family, const char *map,
                          tdm_nft_mark_value **out, size_t *count);
void tdm_nft_free(void *pointer);

/**
 * Removes `capability` (e.g. CAP_NET_ADMIN = 12) from the calling thread's effective and permitted sets; other
 * threads keep theirs (capabilities are per thread on Linux). 0 or -errno. Lets a test run the forwarder on a
 * throw-away thread without CAP_NET_ADMIN to exercise the capability error path.
 */
int tdm_thread_drop_capability(int capability);

#endif
