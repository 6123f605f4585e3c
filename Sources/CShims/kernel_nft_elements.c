/*
 * Elements of the relay's maps: batched adds/deletes and the dumps of the mark-keyed maps (adoption).
 */
#include "kernel_nft_internal.h"
#include <stdlib.h>

/* Elements per NEWSETELEM/DELSETELEM message: the element list is one netlink attribute, whose length is 16 bits;
 * an IPv4 leg element is 44 bytes and an IPv6 one 64, so 800 stay well below 64 KiB. */
#define TDM_ELEMENTS_PER_MESSAGE 800
/* Upper bound of one entry's five elements in a batch, message overhead included (IPv4 ~190, IPv6 ~260). */
#define TDM_BYTES_PER_ENTRY 384

static uint32_t address_length(uint8_t version) { return version == 6 ? 16 : 4; }

/* The concatenated key: saddr, sport, daddr, dport, each component padded to 4 bytes (16 bytes for IPv4, 40 for
 * IPv6). Returns its length. */
static uint32_t leg_key(uint8_t key[40], uint8_t version, const uint8_t *peer_addr, uint16_t peer_port,
                        const uint8_t *local_addr, uint16_t local_port) {
    uint32_t a = address_length(version);
    uint16_t sport = htons(peer_port), dport = htons(local_port);
    memset(key, 0, 40);
    memcpy(key, peer_addr, a);
    memcpy(key + a, &sport, 2);
    memcpy(key + a + 4, local_addr, a);
    memcpy(key + 2 * a + 4, &dport, 2);
    return 2 * a + 8;
}

enum field { FIELD_LEG, FIELD_DADDR, FIELD_DPORT, FIELD_SADDR, FIELD_SPORT };
static const char *const map_names[] = {TDM_NFT_LEG_MAP, TDM_NFT_OUT_DADDR, TDM_NFT_OUT_DPORT, TDM_NFT_OUT_SADDR,
                                        TDM_NFT_OUT_SPORT};

static struct nftnl_set_elem *element(const tdm_nft_entry *entry, enum field field, int with_data) {
    struct nftnl_set_elem *e = nftnl_set_elem_alloc();
    if (e == NULL) return NULL;
    if (field == FIELD_LEG) {
        uint8_t key[40];
        uint32_t len = leg_key(key, entry->ip_version, entry->peer_addr, entry->peer_port, entry->local_addr,
                               entry->local_port);
        nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, len);
        if (with_data) nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, &entry->mark, sizeof entry->mark);
        return e;
    }
    nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &entry->mark, sizeof entry->mark);
    if (!with_data) return e;
    uint32_t a = address_length(entry->ip_version);
    uint16_t port;
    switch (field) {
    case FIELD_DADDR: nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, entry->out_daddr, a); break;
    case FIELD_SADDR: nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, entry->out_saddr, a); break;
    case FIELD_DPORT:
        port = htons(entry->out_dport);
        nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, &port, 2);
        break;
    case FIELD_SPORT:
        port = htons(entry->out_sport);
        nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, &port, 2);
        break;
    default: break;
    }
    return e;
}

/* Appends NEWSETELEM/DELSETELEM messages for one map of the `version` table covering the entries of that family
 * (skipping leg-less ones for leg_mark). */
static int append_elements(tdm_nft *nft, tdm_nft_batch *batch, const char *table, uint8_t version, enum field field,
                           uint16_t type, const tdm_nft_entry *entries, size_t count) {
    uint16_t proto = tdm_nft_proto_of_version(version);
    size_t index = 0;
    while (index < count) {
        struct nftnl_set *set = nftnl_set_alloc();
        if (set == NULL) return -ENOMEM;
        nftnl_set_set_str(set, NFTNL_SET_TABLE, table);
        nftnl_set_set_str(set, NFTNL_SET_NAME, map_names[field]);
        nftnl_set_set_u32(set, NFTNL_SET_FAMILY, proto);
        size_t added = 0;
        for (; index < count && added < TDM_ELEMENTS_PER_MESSAGE; index++) {
            if (entries[index].ip_version != version) continue;
            if (field == FIELD_LEG && !entries[index].with_leg) continue;
            struct nftnl_set_elem *e = element(&entries[index], field, type == NFT_MSG_NEWSETELEM);
            if (e == NULL) {
                nftnl_set_free(set);
                return -ENOMEM;
            }
            nftnl_set_elem_add(set, e);
            added++;
        }
        if (added > 0) {
            char *at = tdm_nft_batch_reserve(batch, 1024 + added * 96);
            if (at == NULL) {
                nftnl_set_free(set);
                return -ENOMEM;
            }
            uint16_t flags = NLM_F_ACK | (type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0);
            struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(at, type, proto, flags, tdm_nft_next_seq(nft));
            nftnl_set_elems_nlmsg_build_payload(nlh, set);
            tdm_nft_batch_commit(batch, nlh);
        }
        nftnl_set_free(set);
    }
    return 0;
}

static int append_all(tdm_nft *nft, tdm_nft_batch *batch, const char *table, uint16_t type,
                      const tdm_nft_entry *entries, size_t count) {
    /* Adds: rewrites first, then the leg element that makes the kernel act on them. Deletes: the reverse. */
    static const enum field add_order[] = {FIELD_DADDR, FIELD_DPORT, FIELD_SADDR, FIELD_SPORT, FIELD_LEG};
    static const enum field del_order[] = {FIELD_LEG, FIELD_DADDR, FIELD_DPORT, FIELD_SADDR, FIELD_SPORT};
    static const uint8_t versions[] = {4, 6};
    const enum field *order = type == NFT_MSG_NEWSETELEM ? add_order : del_order;
    for (int v = 0; v < 2; v++) {
        int present = 0;
        for (size_t i = 0; i < count && !present; i++) present = entries[i].ip_version == versions[v];
        if (!present) continue;
        for (int i = 0; i < 5; i++) {
            int err = append_elements(nft, batch, table, versions[v], order[i], type, entries, count);
            if (err) return err;
        }
    }
    return 0;
}

int tdm_nft_commit(tdm_nft *nft, const char *table, const tdm_nft_entry *removals, size_t removal_count,
                   const tdm_nft_entry *additions, size_t addition_count) {
    size_t per_batch = nft->max_batch_bytes / TDM_BYTES_PER_ENTRY;
    if (per_batch < 1) per_batch = 1;
    size_t removed = 0, added = 0;
    while (removed < removal_count || added < addition_count) {
        /* Fill one batch: removals first (an update deletes the old rewrite before adding the new one). */
        size_t room = per_batch;
        size_t removing = removal_count - removed < room ? removal_count - removed : room;
        room -= removing;
        size_t adding = addition_count - added < room ? addition_count - added : room;
        tdm_nft_batch batch;
        int err = tdm_nft_batch_init(nft, &batch, 4096 + (removing + adding) * TDM_BYTES_PER_ENTRY);
        if (err) return err;
        if ((removing && (err = append_all(nft, &batch, table, NFT_MSG_DELSETELEM, removals + removed, removing))) ||
            (adding && (err = append_all(nft, &batch, table, NFT_MSG_NEWSETELEM, additions + added, adding)))) {
            tdm_nft_batch_discard(&batch);
            return err;
        }
        if ((err = tdm_nft_batch_send(nft, &batch))) return err;
        removed += removing;
        added += adding;
    }
    return 0;
}

/* ---- dumps ----------------------------------------------------------------------------------------------------- */

static int elements_reply(const struct nlmsghdr *nlh, void *data) {
    return nftnl_set_elems_nlmsg_parse(nlh, data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

/* One GETSETELEM dump of `map`; the elements accumulate in the returned set. */
static int dump_map(tdm_nft *nft, const char *table, uint16_t proto, const char *map, struct nftnl_set **out) {
    struct nftnl_set *set = nftnl_set_alloc();
    if (set == NULL) return -ENOMEM;
    int err = tdm_nft_request_set_elems(nft, table, proto, map, elements_reply, set);
    if (err) {
        nftnl_set_free(set);
        return err;
    }
    *out = set;
    return 0;
}

/* A dump that a concurrent change interrupted (NLM_F_DUMP_INTR, reported as -EINTR) is started again: its
 * elements may be incomplete. Bounded: a table changing faster than it can be dumped three times is an error. */
static int dump_map_consistent(tdm_nft *nft, const char *table, uint16_t proto, const char *map,
                               struct nftnl_set **out) {
    int err = -EINTR;
    for (int attempt = 0; attempt < 3 && err == -EINTR; attempt++) err = dump_map(nft, table, proto, map, out);
    return err;
}

/* libnftnl's iterator: `nftnl_set_elems_iter_next` returns the current element and then advances, so it alone
 * walks the list once. (Starting with `_iter_cur` and then calling `_next` visits the first element twice.) */
static size_t element_count(struct nftnl_set *set) {
    size_t count = 0;
    struct nftnl_set_elems_iter *iter = nftnl_set_elems_iter_create(set);
    if (iter == NULL) return 0;
    while (nftnl_set_elems_iter_next(iter) != NULL) count++;
    nftnl_set_elems_iter_destroy(iter);
    return count;
}

/* The `leg_mark` dump (the counter read) parses its netlink attributes in place: kernel_nft_leg_dump.c. */

int tdm_nft_dump_mark_map(tdm_nft *nft, const char *table, uint32_t family, const char *map,
                          tdm_nft_mark_value **out, size_t *count) {
    *out = NULL;
    *count = 0;
    struct nftnl_set *set = NULL;
    int err = dump_map_consistent(nft, table, tdm_nft_proto(family), map, &set);
    if (err) return err;
    size_t capacity = element_count(set);
    tdm_nft_mark_value *values = calloc(capacity ? capacity : 1, sizeof *values);
    struct nftnl_set_elems_iter *iter = values ? nftnl_set_elems_iter_create(set) : NULL;
    if (iter == NULL) {
        free(values);
        nftnl_set_free(set);
        return -ENOMEM;
    }
    size_t n = 0;
    struct nftnl_set_elem *e;
    while (n < capacity && (e = nftnl_set_elems_iter_next(iter)) != NULL) {
        uint32_t key_len = 0, data_len = 0;
        const void *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &key_len);
        const void *value = nftnl_set_elem_get(e, NFTNL_SET_ELEM_DATA, &data_len);
        if (key == NULL || key_len != 4 || value == NULL) continue;
        tdm_nft_mark_value *out_value = &values[n];
        memcpy(&out_value->mark, key, 4);
        if (data_len == 4 || data_len == 16) {
            memcpy(out_value->address, value, data_len);
            out_value->address_len = (uint8_t)data_len;
        } else if (data_len == 2) {
            uint16_t port;
            memcpy(&port, value, 2);
            out_value->port = ntohs(port);
        } else {
            continue;
        }
        n++;
    }
    nftnl_set_elems_iter_destroy(iter);
    nftnl_set_free(set);
    *out = values;
    *count = n;
    return 0;
}
