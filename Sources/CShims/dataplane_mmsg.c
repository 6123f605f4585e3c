// recvmmsg/sendmmsg and epoll wrappers for the fallback engine. Kept in C because `struct mmsghdr` needs
// _GNU_SOURCE and `struct epoll_event` is packed on x86-64, neither of which Swift imports comfortably.
#define _GNU_SOURCE 1
#include "CShims.h"

_Static_assert(sizeof(tdm_mmsghdr) == sizeof(struct mmsghdr), "tdm_mmsghdr must match struct mmsghdr");
_Static_assert(offsetof(tdm_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len), "msg_len offset");

int tdm_recvmmsg(int fd, tdm_mmsghdr *msgs, unsigned count) {
    return recvmmsg(fd, (struct mmsghdr *)msgs, count, MSG_DONTWAIT, NULL);
}

int tdm_sendmmsg(int fd, tdm_mmsghdr *msgs, unsigned count) {
    return sendmmsg(fd, (struct mmsghdr *)msgs, count, MSG_DONTWAIT);
}

int tdm_epoll_add(int epfd, int fd, uint64_t tag) {
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

int tdm_epoll_del(int epfd, int fd) {
    struct epoll_event ev = {0};
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev) == 0 ? 0 : -errno;
}

int tdm_epoll_wait(int epfd, uint64_t *tags, unsigned max, int timeout_ms) {
    struct epoll_event events[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, events, (int)max, timeout_ms);
    if (n < 0) return errno == EINTR ? 0 : -errno;
    for (int i = 0; i < n; i++) tags[i] = events[i].data.u64;
    return n;
}
