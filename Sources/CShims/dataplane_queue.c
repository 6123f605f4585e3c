// Lock-free bounded command queue (Dmitry Vyukov's MPMC ring, used with one consumer per worker).
// Producers claim a position with a CAS on enqueue_pos, write the cell, then publish it by storing seq = pos + 1;
// the consumer reads cells strictly in position order, so a position doubles as an acknowledgement ticket.
#include "CShims.h"
#include <stdlib.h>

typedef struct tdm_command_cell {
    uint64_t seq;
    tdm_command command;
} tdm_command_cell;

struct tdm_command_queue {
    _Alignas(64) uint64_t enqueue_pos;
    _Alignas(64) uint64_t dequeue_pos;
    _Alignas(64) uint64_t applied;
    _Alignas(64) uint64_t mask;
    tdm_command_cell *cells;
};

tdm_command_queue *tdm_command_queue_create(uint32_t capacity) {
    uint64_t size = 2;
    while (size < capacity && size < (1ull << 24)) size <<= 1;
    tdm_command_queue *q = aligned_alloc(64, sizeof(tdm_command_queue));
    if (!q) return NULL;
    memset(q, 0, sizeof(*q));
    q->cells = calloc(size, sizeof(tdm_command_cell));
    if (!q->cells) { free(q); return NULL; }
    for (uint64_t i = 0; i < size; i++) q->cells[i].seq = i;
    q->mask = size - 1;
    return q;
}

void tdm_command_queue_destroy(tdm_command_queue *q) {
    if (!q) return;
    free(q->cells);
    free(q);
}

int64_t tdm_command_queue_push(tdm_command_queue *q, const tdm_command *cmd) {
    uint64_t pos = __atomic_load_n(&q->enqueue_pos, __ATOMIC_RELAXED);
    for (;;) {
        tdm_command_cell *cell = &q->cells[pos & q->mask];
        uint64_t seq = __atomic_load_n(&cell->seq, __ATOMIC_ACQUIRE);
        int64_t diff = (int64_t)seq - (int64_t)pos;
        if (diff == 0) {
            if (__atomic_compare_exchange_n(&q->enqueue_pos, &pos, pos + 1, true, __ATOMIC_RELAXED,
                                            __ATOMIC_RELAXED)) {
                cell->command = *cmd;
                __atomic_store_n(&cell->seq, pos + 1, __ATOMIC_RELEASE);
                return (int64_t)pos;
            }
            /* CAS failure reloaded pos */
        } else if (diff < 0) {
            return -1; /* full */
        } else {
            pos = __atomic_load_n(&q->enqueue_pos, __ATOMIC_RELAXED);
        }
    }
}

bool tdm_command_queue_pop(tdm_command_queue *q, tdm_command *out, uint64_t *position) {
    uint64_t pos = q->dequeue_pos; /* single consumer: plain read of its own word */
    tdm_command_cell *cell = &q->cells[pos & q->mask];
    uint64_t seq = __atomic_load_n(&cell->seq, __ATOMIC_ACQUIRE);
    if ((int64_t)seq - (int64_t)(pos + 1) < 0) return false; /* empty, or the producer has not published yet */
    *out = cell->command;
    *position = pos;
    __atomic_store_n(&q->dequeue_pos, pos + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&cell->seq, pos + q->mask + 1, __ATOMIC_RELEASE);
    return true;
}

void tdm_command_queue_mark_applied(tdm_command_queue *q, uint64_t count) {
    __atomic_store_n(&q->applied, count, __ATOMIC_RELEASE);
}

uint64_t tdm_command_queue_applied(const tdm_command_queue *q) {
    return __atomic_load_n(&q->applied, __ATOMIC_ACQUIRE);
}
