/*
 * cmd_serve.c: kijun serve. Settings: flags first, then KIJUN_* environment variables,
 * then the config file, then the defaults.
 */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli.h"
#include "server/server.h"

int
cmd_serve(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"listen", 1, NULL, 0},	  {"config", 1, NULL, 0},	 {"threads", 1, NULL, 0},
			     {"tls-cert", 1, NULL, 0},	  {"tls-key", 1, NULL, 0},	 {"max-connections", 1, NULL, 0},
			     {"max-per-address", 1, NULL, 0}, {"timeout", 1, NULL, 0},	 {"max-body", 1, NULL, 0},
			     {"bench-routes", 0, NULL, 0}, {"quiet", 0, NULL, 0},	 {"header-timeout", 1, NULL, 0},
			     {"pdf-jobs", 1, NULL, 0},	  {"pdf-queue", 1, NULL, 0},	 {NULL, 0, NULL, 0}};
	/* Flag names and environment variables in the order of the config file's keys. */
	static const char *const flag[] = {"listen", NULL, "threads", "tls-cert", "tls-key", "max-connections",
					   "max-per-address", "timeout", "max-body", "header-timeout", "pdf-jobs",
					   "pdf-queue"};
	static const char *const env[] = {"KIJUN_LISTEN", NULL, "KIJUN_THREADS", "KIJUN_TLS_CERT", "KIJUN_TLS_KEY",
					  "KIJUN_MAX_CONNECTIONS", "KIJUN_MAX_PER_ADDRESS", "KIJUN_TIMEOUT",
					  "KIJUN_MAX_BODY", "KIJUN_HEADER_TIMEOUT", "KIJUN_PDF_JOBS", "KIJUN_PDF_QUEUE"};
	struct kj_server_config cfg;
	unsigned char set[KJ_SERVER_CONFIG_KEYS] = {0};	/* by config key (server.h) */
	const char *pos[1], *path;
	int i;
	kj_err r;

	if (cli_parse(c, argc, argv, opts, pos, 0) < 0)
		return EXIT_USAGE;
	kj_server_defaults(&cfg);
	kj_strlcpy(cfg.dsn, c->dsn, sizeof(cfg.dsn));
	set[1] = 1;	/* the database comes from --db or KIJUN_DB, before the command */
	for (i = 0; i < 12; i++) {
		const char *v = NULL;
		char line[1200];

		if (flag[i] != NULL && cli_opt(opts, flag[i])->val != NULL)
			v = cli_opt(opts, flag[i])->val;
		else if (env[i] != NULL && getenv(env[i]) != NULL && *getenv(env[i]) != '\0')
			v = getenv(env[i]);
		if (v == NULL)
			continue;
		/* One parser for every source: write the setting as a config line. */
		snprintf(line, sizeof(line), "%s", v);
		if (i == 0)
			kj_strlcpy(cfg.listen, line, sizeof(cfg.listen));
		else if (i == 3)
			kj_strlcpy(cfg.tls_cert, line, sizeof(cfg.tls_cert));
		else if (i == 4)
			kj_strlcpy(cfg.tls_key, line, sizeof(cfg.tls_key));
		else {
			int64_t n;

			if (kj_parse_int64(line, 1, i == 8 ? 64 << 20 : i == 10 ? 16 : 1000000, &n) != 0)
				return cli_usage(c, "--%s: expected a positive whole number", flag[i]);
			if (i == 2)
				cfg.threads = (unsigned)n;
			else if (i == 5)
				cfg.max_connections = (unsigned)n;
			else if (i == 6)
				cfg.max_per_address = (unsigned)n;
			else if (i == 7)
				cfg.timeout = (unsigned)n;
			else if (i == 8)
				cfg.max_body = (size_t)n;
			else if (i == 9)
				cfg.header_timeout = (unsigned)n;
			else if (i == 10)
				cfg.pdf_jobs = (unsigned)n;
			else
				cfg.pdf_queue = (unsigned)n;
		}
		set[i] = 1;
	}
	path = cli_opt(opts, "config")->val ? cli_opt(opts, "config")->val : getenv("KIJUN_CONFIG");
	if (path != NULL && *path != '\0' && (r = kj_server_config_file(&c->ctx, path, &cfg, set)) != KJ_OK)
		return cli_fail(c, r);
	cfg.bench_routes = cli_opt(opts, "bench-routes")->set;
	cfg.quiet = cli_opt(opts, "quiet")->set;
	if ((r = kj_server_run(&c->ctx, &cfg)) != KJ_OK)
		return cli_fail(c, r);
	return 0;
}
