/*
 * cmd_login.c: kijun --server URL login NAME. Logs in with the account's password (POST
 * /api/v1/session), makes an API token with that session (POST /api/v1/tokens, with the
 * session's CSRF token), ends the session, and prints `export KIJUN_TOKEN=...` as its
 * last line, so that
 *
 *   eval "$(kijun --server https://kijun.example login alice)"
 *
 * leaves the token in the shell. Nothing is written to disk.
 *
 * The output is meant for eval: everything printed that came from the server is checked
 * against a narrow alphabet first, so a hostile reply cannot smuggle in a command.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "base/util.h"
#include "cli.h"
#include "model/account.h"

static struct termios saved_tty;
static volatile sig_atomic_t echo_off;

/* A signal while the password is typed: give the terminal its echo back, then die of the
 * signal as usual (SA_RESETHAND restored the default action). */
static void
on_signal(int sig)
{
	if (echo_off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	raise(sig);
}

/* Reads one line into pw: from the terminal without echo, else (with --password-stdin)
 * from standard input. Returns 0 or an exit code after printing. */
static int
read_password(struct cli *c, const char *name, int from_stdin, char *pw, size_t size)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa, old[4];
	struct termios t;
	int tty = isatty(STDIN_FILENO), i, got;

	if (!tty && !from_stdin)
		return cli_usage(c, "no terminal to ask for the password on: give it with --password-stdin");
	if (tty && tcgetattr(STDIN_FILENO, &saved_tty) == 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sa.sa_flags = SA_RESETHAND;
		sigemptyset(&sa.sa_mask);
		for (i = 0; i < 4; i++)
			sigaction(sigs[i], &sa, &old[i]);
		fprintf(stderr, "password for %s: ", name);
		fflush(stderr);
		t = saved_tty;
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		t.c_lflag |= ICANON;
		echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0;
		got = fgets(pw, (int)size, stdin) != NULL;
		if (echo_off)
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
		echo_off = 0;
		for (i = 0; i < 4; i++)
			sigaction(sigs[i], &old[i], NULL);
		fputc('\n', stderr);
	} else {
		got = fgets(pw, (int)size, stdin) != NULL;
	}
	if (!got)
		return cli_usage(c, "no password on standard input");
	pw[strcspn(pw, "\r\n")] = '\0';
	return 0;
}

/* 1 when s is made only of the bytes in allowed (and is not empty). */
static int
only(const char *s, const char *allowed)
{
	return s != NULL && *s != '\0' && strspn(s, allowed) == strlen(s);
}

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/* Prints s in single quotes for the shell. */
static void
put_quoted(const char *s)
{
	putchar('\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
	putchar('\'');
}

/* POST or DELETE with the session instead of a token. */
static int
with_session(struct cli *c, const char *method, const char *path, json_t *body, const char *session,
	     const char *csrf, json_t **out)
{
	struct cli_call call;
	char *s = NULL;
	int rc;

	memset(&call, 0, sizeof(call));
	call.method = method;
	call.path = path;
	call.session = session;
	call.csrf = csrf;
	if (body != NULL) {
		if ((s = json_dumps(body, JSON_COMPACT)) == NULL) {
			fprintf(stderr, "kijun %s: out of memory\n", c->cmd);
			return 1;
		}
		call.body = s;
		call.body_len = strlen(s);
	}
	rc = cli_request(c, &call, out);
	free(s);
	return rc;
}

int
cmd_login(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"password-stdin", 0, NULL, 0}, {"scope", 1, NULL, 0}, {"days", 1, NULL, 0},
			     {"name", 1, NULL, 0}, {NULL, 0, NULL, 0}};
	const char *pos[1];
	char pw[KJ_MAX_PASSWORD + 2], session[128], csrf[128];
	struct cli_call call;
	json_t *body = NULL, *res = NULL, *tok = NULL, *bye = NULL;
	char *s = NULL;
	int64_t days = 0;
	int rc;

	c->cmd = "login";
	if (cli_parse(c, argc, argv, opts, pos, 1) != 1)
		return cli_usage(c, "expected an account name");
	if (c->server == NULL)
		return cli_usage(c, "logs in to a server: kijun --server URL login NAME (or set KIJUN_SERVER)");
	if (cli_opt(opts, "days")->val && kj_parse_int64(cli_opt(opts, "days")->val, 1, 366, &days) != 0)
		return cli_usage(c, "--days: expected 1 to 366");
	pw[0] = session[0] = csrf[0] = '\0';
	if ((rc = read_password(c, pos[0], cli_opt(opts, "password-stdin")->set, pw, sizeof(pw))) != 0)
		goto out;

	/* 1. The session. */
	body = json_object();
	if ((rc = cli_put(c, body, "name", pos[0])) != 0 || (rc = cli_put(c, body, "password", pw)) != 0)
		goto out;
	sodium_memzero(pw, sizeof(pw));
	if ((s = json_dumps(body, JSON_COMPACT)) == NULL) {
		fprintf(stderr, "kijun %s: out of memory\n", c->cmd);
		rc = 1;
		goto out;
	}
	memset(&call, 0, sizeof(call));
	call.method = "POST";
	call.path = "/api/v1/session";
	call.body = s;
	call.body_len = strlen(s);
	call.anonymous = 1;
	rc = cli_request(c, &call, &res);
	sodium_memzero(s, strlen(s));
	if (rc != 0)
		goto out;
	kj_strlcpy(session, call.set_session, sizeof(session));
	kj_strlcpy(csrf, cli_str(res, "csrf_token"), sizeof(csrf));
	if (session[0] == '\0' || csrf[0] == '\0') {
		fprintf(stderr, "kijun %s: the server's reply holds no session\n", c->cmd);
		rc = 1;
		goto out;
	}

	/* 2. The token, made by the session; then the session ends, as it is no longer needed. */
	cli_json_wipe(body, "password");
	json_decref(body);
	body = json_object();
	if ((rc = cli_put(c, body, "name", cli_opt(opts, "name")->val ? cli_opt(opts, "name")->val : "kijun login")) != 0 ||
	    (rc = cli_put(c, body, "scope", cli_opt(opts, "scope")->val)) != 0)
		goto out;
	if (days > 0)
		json_object_set_new(body, "days", json_integer((json_int_t)days));
	rc = with_session(c, "POST", "/api/v1/tokens", body, session, csrf, &tok);
	if (with_session(c, "DELETE", "/api/v1/session", NULL, session, csrf, &bye) != 0)
		fprintf(stderr, "kijun %s: (the session ends by itself when it expires)\n", c->cmd);
	if (rc != 0)
		goto out;
	if (!only(cli_strn(tok, "token"), ALNUM "_-") || !only(cli_strn(tok, "id"), ALNUM "-") ||
	    !only(cli_strn(tok, "expires_at"), ALNUM ":-")) {
		fprintf(stderr, "kijun %s: the server's reply holds no usable token\n", c->cmd);
		rc = 1;
		goto out;
	}
	printf("# kijun: token %s of %s, %s, expires %s\n", cli_str(tok, "id"),
	       only(cli_strn(tok, "user"), ALNUM "._-") ? cli_str(tok, "user") : "?",
	       only(cli_strn(tok, "scope"), ALNUM) ? cli_str(tok, "scope") : "?", cli_str(tok, "expires_at"));
	printf("export KIJUN_SERVER=");
	put_quoted(c->server);
	printf("\nexport KIJUN_TOKEN=%s\n", cli_str(tok, "token"));
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(session, sizeof(session));
	sodium_memzero(csrf, sizeof(csrf));
	if (s != NULL) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
	cli_json_wipe(body, "password");
	cli_json_wipe(res, "csrf_token");
	cli_json_wipe(tok, "token");
	json_decref(body);
	json_decref(res);
	json_decref(tok);
	json_decref(bye);
	return rc;
}
