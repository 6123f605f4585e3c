#ifndef TANDEM_SIGNALING_SHIMS_H
#define TANDEM_SIGNALING_SHIMS_H
/*
 * The keepalive twin of a SIP UDP listener (Sources/Signaling/Transport/KeepaliveTwinSocket.swift).
 *
 * Why: 100k NATed bindings pinged every 20 s are 5,000 OPTIONS out and 5,000 replies in per second. Through
 * SwiftNIO each reply is one pipeline read (an envelope, a socket address, a wake-up of the loop), and each ping
 * one pipeline write; that per-datagram plumbing and the wake-ups cost more than the pings themselves. The twin
 * is a second socket bound to the listener's own address and port (SO_REUSEPORT, so a phone's pinhole sees the
 * very same source), and a classic BPF program on the port's reuseport group hands it only the datagrams that
 * carry this process's keepalive marker. Pings leave through it in one sendmmsg per tick, and the tick drains
 * the replies in one recvmmsg: no wake-up per reply. Everything else still goes to the listener's own socket.
 */
#include <stdint.h>
#include <sys/socket.h>

/* Opens a non-blocking UDP socket with SO_REUSEPORT and SO_TIMESTAMPNS and binds it to `addr`. fd or -errno. */
int tdm_sip_twin_open(const struct sockaddr *addr, socklen_t len, int receive_buffer);

/*
 * Attaches the steering program to the reuseport group of `fd` (bound): a datagram that starts with "SIP/" and
 * holds the 8 bytes `marker` at some offset below `scan_limit` goes to the group's socket index 1, everything
 * else (and anything shorter than a probe) to index 0. 0 or -errno.
 */
int tdm_sip_twin_attach_steering(int fd, const uint8_t marker[8], unsigned scan_limit);

/*
 * recvmmsg (MSG_DONTWAIT) of up to `count` datagrams into `base + i * stride`. For each: its length (stride + 1
 * when it was cut), its source, and the kernel's receive time (CLOCK_REALTIME, ms; 0 when absent).
 * The number received, 0 when none is waiting, or -errno.
 */
int tdm_sip_twin_receive(int fd, uint8_t *base, unsigned stride, unsigned count, uint32_t *lengths,
                         struct sockaddr_storage *sources, int64_t *received_ms);

/*
 * sendmmsg of `count` datagrams: datagram i is `bytes[offsets[i] ..< offsets[i] + lengths[i]]` to `targets[i]`
 * (`target_lengths[i]` bytes of address). The number sent (fewer on a full send buffer), or -errno.
 */
int tdm_sip_twin_send(int fd, const uint8_t *bytes, const uint32_t *offsets, const uint32_t *lengths,
                      const struct sockaddr_storage *targets, const uint32_t *target_lengths, unsigned count);

#endif
