/*
 * fuzz_config.c: drives the server's configuration file reader (kj_server_config_file:
 * "key = value" lines, comments, white space, numbers and their bounds) with arbitrary
 * bytes, written to a file in a mkdtemp directory made once per process.
 *
 * The first byte of the input says which keys count as given on the command line (bit i:
 * key i, which the file must then leave alone); the rest is the file.
 *
 * Findings (abort): a crash or sanitizer report; a failure without a message or one that
 * does not name the file; a key set on the command line that the file changed; a value
 * out of its bounds accepted; a string setting without its terminating NUL.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[96];

static void
teardown(void)
{
	unlink(path);
	rmdir(dir);
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/kijun-fuzz-config.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/kijun.conf", dir);
	atexit(teardown);
}

static int
terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The first byte says which of the first eight keys (server.h's order: listen, db,
	 * threads, tls_cert, tls_key, max_connections, max_per_address, timeout) count as set
	 * already. */
	unsigned char set[KJ_SERVER_CONFIG_KEYS] = {0};
	struct kj_server_config before, cfg;
	struct kj_ctx ctx;
	kj_err r;
	int fd, i;

	if (dir[0] == '\0')
		setup();
	if (size == 0)
		return 0;
	for (i = 0; i < 8; i++)
		set[i] = (data[0] >> i) & 1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data + 1, size - 1) != (ssize_t)(size - 1) || close(fd) != 0)
		abort();
	kj_server_defaults(&before);
	cfg = before;
	kj_ctx_init(&ctx);
	r = kj_server_config_file(&ctx, path, &cfg, set);
	if (r != KJ_OK && (ctx.msg[0] == '\0' || strstr(ctx.msg, path) == NULL)) {
		fprintf(stderr, "fuzz_config: a failure that does not name the file: \"%s\"\n", ctx.msg);
		abort();
	}
	if (!terminated(cfg.listen, sizeof(cfg.listen)) || !terminated(cfg.dsn, sizeof(cfg.dsn)) ||
	    !terminated(cfg.tls_cert, sizeof(cfg.tls_cert)) || !terminated(cfg.tls_key, sizeof(cfg.tls_key)))
		abort();
	if ((set[0] && strcmp(cfg.listen, before.listen) != 0) || (set[1] && strcmp(cfg.dsn, before.dsn) != 0) ||
	    (set[2] && cfg.threads != before.threads) || (set[3] && strcmp(cfg.tls_cert, before.tls_cert) != 0) ||
	    (set[4] && strcmp(cfg.tls_key, before.tls_key) != 0) ||
	    (set[5] && cfg.max_connections != before.max_connections) ||
	    (set[6] && cfg.max_per_address != before.max_per_address) || (set[7] && cfg.timeout != before.timeout)) {
		fprintf(stderr, "fuzz_config: the file changed a setting given on the command line\n");
		abort();
	}
	if (r == KJ_OK && (cfg.threads == 0 || cfg.max_connections == 0 || cfg.max_per_address == 0 || cfg.timeout == 0 ||
			   cfg.max_body == 0)) {
		fprintf(stderr, "fuzz_config: a setting of zero was accepted\n");
		abort();
	}
	return 0;
}
