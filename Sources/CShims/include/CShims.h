#ifndef TANDEM_CSHIMS_H
#define TANDEM_CSHIMS_H
/*
 * glibc headers first: liburing.h and the netfilter headers pull in <linux/...> headers that redefine
 * fd_set/in6_addr when Clang's module map sees them before glibc's (debug builds then fail with module
 * redefinition errors).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <arpa/inet.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <string.h>

#include <liburing.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/batch.h>

#include "DataPlaneShims.h"
#include "KernelShims.h"
#include "PerfShims.h"
#include "SignalingShims.h"

#endif
