/* The keepalive twin of a SIP UDP listener: see include/SignalingShims.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/filter.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include "include/SignalingShims.h"

#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF 51
#endif

int tdm_sip_twin_open(const struct sockaddr *addr, socklen_t len, int receive_buffer) {
    int fd = socket(addr->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0) {
        int e = errno; close(fd); return -e;
    }
    if (receive_buffer > 0) (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    /*
     * DF on, path MTU not enforced (a ping is a few hundred bytes): with DF the kernel gives an unconnected socket's
     * datagrams IP ID 0 (RFC 6864) instead of drawing one from its shared, hashed ID table for every ping, which
     * was 3 % of the keepalive tick's time.
     */
    if (addr->sa_family == AF_INET) {
        int probe = IP_PMTUDISC_PROBE;
        (void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &probe, sizeof probe);
    }
    if (bind(fd, addr, len) < 0) { int e = errno; close(fd); return -e; }
    return fd;
}

/*
 * The program, unrolled (classic BPF has no loops; jumps only go forward):
 *   ld [0]; jeq "SIP/" ? next : ret0
 *   for each offset o in 4 ..< scan_limit - 8:
 *     ld [o]; jeq marker[0..4] ? next : next offset      (3 instructions to skip)
 *     ld [o + 4]; jeq marker[4..8] ? ret1 : next offset
 *   ret #0
 * A load past the datagram's end ends the program with 0, which is index 0: the listener. The return of a
 * match is inline (`ret #1` right after the second test) since conditional jumps reach at most 255 ahead.
 */
int tdm_sip_twin_attach_steering(int fd, const uint8_t marker[8], unsigned scan_limit) {
    if (scan_limit < 16) scan_limit = 16;
    unsigned offsets = scan_limit - 8 - 4 + 1;
    unsigned count = 3 + offsets * 5 + 1;
    if (count > BPF_MAXINSNS) return -EINVAL;
    struct sock_filter *code = calloc(count, sizeof *code);
    if (!code) return -ENOMEM;
    uint32_t sip = ((uint32_t)'S' << 24) | ((uint32_t)'I' << 16) | ((uint32_t)'P' << 8) | (uint32_t)'/';
    uint32_t m0 = ((uint32_t)marker[0] << 24) | ((uint32_t)marker[1] << 16) | ((uint32_t)marker[2] << 8) | marker[3];
    uint32_t m1 = ((uint32_t)marker[4] << 24) | ((uint32_t)marker[5] << 16) | ((uint32_t)marker[6] << 8) | marker[7];
    unsigned i = 0;
    code[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);
    code[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, sip, 1, 0);
    code[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
    for (unsigned o = 4; o < 4 + offsets; o++) {
        code[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, o);
        code[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, m0, 0, 3);
        code[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, o + 4);
        code[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, m1, 0, 1);
        code[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 1);
    }
    code[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
    struct sock_fprog program = { .len = (unsigned short)i, .filter = code };
    int rc = setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &program, sizeof program);
    int e = errno;
    free(code);
    return rc < 0 ? -e : 0;
}

#define TWIN_BATCH 64

int tdm_sip_twin_receive(int fd, uint8_t *base, unsigned stride, unsigned count, uint32_t *lengths,
                         struct sockaddr_storage *sources, int64_t *received_ms) {
    struct mmsghdr msgs[TWIN_BATCH];
    struct iovec iov[TWIN_BATCH];
    char control[TWIN_BATCH][CMSG_SPACE(sizeof(struct timespec))];
    if (count > TWIN_BATCH) count = TWIN_BATCH;
    memset(msgs, 0, sizeof(struct mmsghdr) * count);
    for (unsigned i = 0; i < count; i++) {
        iov[i].iov_base = base + (size_t)i * stride;
        iov[i].iov_len = stride;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &sources[i];
        msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
        msgs[i].msg_hdr.msg_control = control[i];
        msgs[i].msg_hdr.msg_controllen = sizeof control[i];
    }
    int n = recvmmsg(fd, msgs, count, MSG_DONTWAIT, NULL);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
    for (int i = 0; i < n; i++) {
        lengths[i] = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? stride + 1 : msgs[i].msg_len;
        received_ms[i] = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec ts;
                memcpy(&ts, CMSG_DATA(c), sizeof ts);
                received_ms[i] = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
            }
        }
    }
    return n;
}

int tdm_sip_twin_send(int fd, const uint8_t *bytes, const uint32_t *offsets, const uint32_t *lengths,
                      const struct sockaddr_storage *targets, const uint32_t *target_lengths, unsigned count) {
    struct mmsghdr msgs[TWIN_BATCH];
    struct iovec iov[TWIN_BATCH];
    unsigned sent = 0;
    while (sent < count) {
        unsigned n = count - sent < TWIN_BATCH ? count - sent : TWIN_BATCH;
        memset(msgs, 0, sizeof(struct mmsghdr) * n);
        for (unsigned i = 0; i < n; i++) {
            unsigned k = sent + i;
            iov[i].iov_base = (void *)(bytes + offsets[k]);
            iov[i].iov_len = lengths[k];
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = (void *)&targets[k];
            msgs[i].msg_hdr.msg_namelen = target_lengths[k];
        }
        int rc = sendmmsg(fd, msgs, n, MSG_DONTWAIT);
        if (rc < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return (int)sent;
            if (sent > 0) return (int)sent;
            return -errno;
        }
        sent += (unsigned)rc;
        if ((unsigned)rc < n) return (int)sent;
    }
    return (int)sent;
}
