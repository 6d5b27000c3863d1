#ifndef QUAERO_CMALLOC_SHIM_H
#define QUAERO_CMALLOC_SHIM_H

// glibc's mallopt(3), which Swift's Glibc module does not bring in (`MallocTuning` in QuaeroCLI).
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif

#endif
