// libpq, PostgreSQL's own C client (Debian: libpq-dev at build time, libpq5 at run time).
#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
