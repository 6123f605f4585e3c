// STUN inbox: a single-producer single-consumer ring of fixed slots (worker → control). The producer owns `head`,
// the consumer owns `tail`; each publishes its index with a release store and reads the other's with an acquire
// load, so a slot's bytes are visible before its index is, and a slot is reused only after the consumer let go.
#include "CShims.h"
#include <stdlib.h>

typedef struct tdm_stun_slot {
    uint32_t stream;
    uint32_t generation;
    uint32_t length;
    tdm_endpoint source;
    uint8_t bytes[TDM_STUN_MAX_BYTES];
} tdm_stun_slot;

struct tdm_stun_inbox {
    _Alignas(64) uint32_t head; /* next slot the producer writes */
    _Alignas(64) uint32_t tail; /* next slot the consumer reads */
    tdm_stun_slot slots[TDM_STUN_INBOX_SLOTS];
};

tdm_stun_inbox *tdm_stun_inbox_create(void) {
    tdm_stun_inbox *q = aligned_alloc(64, sizeof(tdm_stun_inbox));
    if (!q) return NULL;
    memset(q, 0, sizeof(*q));
    return q;
}

void tdm_stun_inbox_destroy(tdm_stun_inbox *q) { free(q); }

bool tdm_stun_inbox_push(tdm_stun_inbox *q, uint32_t stream, uint32_t generation, const void *name,
                         uint32_t name_len, const void *payload, uint32_t length) {
    if (length > TDM_STUN_MAX_BYTES) return false;
    uint32_t head = __atomic_load_n(&q->head, __ATOMIC_RELAXED);
    uint32_t tail = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
    if (head - tail >= TDM_STUN_INBOX_SLOTS) return false;
    tdm_stun_slot *slot = &q->slots[head % TDM_STUN_INBOX_SLOTS];
    slot->stream = stream;
    slot->generation = generation;
    slot->length = length;
    tdm_endpoint_set(&slot->source, name, name_len);
    memcpy(slot->bytes, payload, length);
    __atomic_store_n(&q->head, head + 1, __ATOMIC_RELEASE);
    return true;
}

bool tdm_stun_inbox_peek(tdm_stun_inbox *q, uint32_t *stream, uint32_t *generation, tdm_endpoint *source,
                         const uint8_t **bytes, uint32_t *length) {
    uint32_t tail = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);
    uint32_t head = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
    if (head == tail) return false;
    const tdm_stun_slot *slot = &q->slots[tail % TDM_STUN_INBOX_SLOTS];
    *stream = slot->stream;
    *generation = slot->generation;
    *source = slot->source;
    *bytes = slot->bytes;
    *length = slot->length;
    return true;
}

void tdm_stun_inbox_release(tdm_stun_inbox *q) {
    uint32_t tail = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);
    __atomic_store_n(&q->tail, tail + 1, __ATOMIC_RELEASE);
}
