/*
 * bench_util.h: what the benchmarks share: a monotonic clock, the median of a set of
 * timings, and removing a SQLite file with its WAL files.
 */
#ifndef KJ_BENCH_UTIL_H
#define KJ_BENCH_UTIL_H

#include <stddef.h>

/* Seconds on CLOCK_MONOTONIC. */
double now_seconds(void);
/* Sorts t[0..n) and returns its median. */
double median(double *t, size_t n);
/* Removes a SQLite file and the WAL files beside it; missing files are fine. */
void remove_sqlite(const char *path);

#endif
