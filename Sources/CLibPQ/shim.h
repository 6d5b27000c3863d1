// libpq, PostgreSQL's own C client (Debian: libpq-dev at build time, libpq5 at run time).
#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>

/// Names the calling thread (at most 15 bytes), as `ps -L` and /proc show it; prctl is variadic, which Swift cannot call.
static inline void quaero_name_thread(const char *name) { prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0); }
