// Thread naming needs _GNU_SOURCE (pthread_setname_np), which Swift's Glibc import does not define.
#define _GNU_SOURCE 1
#include "CShims.h"
#include <pthread.h>

void tdm_thread_set_name(const char *name) {
    char shortened[16];
    strncpy(shortened, name, sizeof(shortened) - 1);
    shortened[sizeof(shortened) - 1] = 0;
    pthread_setname_np(pthread_self(), shortened);
}
