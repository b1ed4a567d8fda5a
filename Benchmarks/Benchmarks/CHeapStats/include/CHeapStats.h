#include <stddef.h>

/// The process's resident memory in bytes (from /proc/self/statm; 0 where unavailable).
size_t resident_bytes(void);
