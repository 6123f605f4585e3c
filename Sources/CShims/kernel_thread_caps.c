/* Per-thread capability drop through the raw capget/capset syscalls (glibc has no wrapper; libcap is not linked). */
#include "CShims.h"
#include <linux/capability.h>
#include <sys/syscall.h>

int tdm_thread_drop_capability(int capability) {
    if (capability < 0 || capability >= 64) return -EINVAL;
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &header, data) != 0) return -errno;
    uint32_t bit = 1u << (capability % 32);
    data[capability / 32].effective &= ~bit;
    data[capability / 32].permitted &= ~bit;
    data[capability / 32].inheritable &= ~bit;
    header.pid = 0;
    if (syscall(SYS_capset, &header, data) != 0) return -errno;
    return 0;
}
