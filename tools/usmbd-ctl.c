/*
 * usmbd-ctl: ask a running usmbd over its control socket (smbd/master/
 * master_ctl.c) for its status, or to reload, to stop sessions or to
 * close an open file.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

static __attribute__((noreturn)) void
usage(int ok)
{
	fprintf(ok ? stdout : stderr,
	    "usage: usmbd-ctl [-hjV] [-f config] [-n files] [-s socket] command [arg]\n"
	    "commands: status, reload, kill-session PID|USER, "
	    "close-file PID:ID\n");
	exit(ok ? 0 : 1);
}

static __attribute__((noreturn, format(printf, 1, 2))) void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "usmbd-ctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	const char *conffile = SYSCONFDIR "/usmbd/smbd.conf", *path = NULL;
	struct sockaddr_un sun;
	struct conf *conf = NULL;
	char req[256], buf[8192];
	ssize_t n;
	size_t len;
	const char *errstr;
	int ch, fd, i, json = 0, err = 0, first = 1;
	long long nfiles = -1;

	log_procname("usmbd-ctl");
	log_init(1, LOG_DAEMON);
	/* --json, the long spelling of -j, wherever it is. */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
			memmove(&argv[i], &argv[i + 1],
			    (size_t)(argc - i) * sizeof(*argv));
			argc--;
			i--;
		}
	while ((ch = getopt(argc, argv, "f:hjn:s:V")) != -1) {
		switch (ch) {
		case 'f':
			conffile = optarg;
			break;
		case 'h':
			usage(1);
		case 'j':
			json = 1;
			break;
		case 'n':
			/* The master takes at most 1000 a connection. */
			nfiles = strtonum(optarg, 0, 1000, &errstr);
			if (errstr != NULL)
				die("-n %s: %s (0 to 1000)", optarg, errstr);
			break;
		case 's':
			path = optarg;
			break;
		case 'V':
			printf("usmbd-ctl %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(0);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 1 && strcmp(argv[0], "status") == 0 && nfiles >= 0)
		snprintf(req, sizeof(req), "status%s files %lld\n", json ?
		    " json" : "", nfiles);
	else if (argc == 1 && strcmp(argv[0], "status") == 0)
		snprintf(req, sizeof(req), "status%s\n", json ? " json" : "");
	else if (nfiles >= 0)
		usage(0);
	else if (argc == 1 && strcmp(argv[0], "reload") == 0 && !json)
		snprintf(req, sizeof(req), "reload\n");
	else if (argc == 2 && strcmp(argv[0], "kill-session") == 0 && !json &&
	    strchr(argv[1], '\n') == NULL && strlen(argv[1]) < 200)
		snprintf(req, sizeof(req), "kill-session %s\n", argv[1]);
	else if (argc == 2 && strcmp(argv[0], "close-file") == 0 && !json &&
	    strchr(argv[1], '\n') == NULL && strlen(argv[1]) < 200)
		snprintf(req, sizeof(req), "close-file %s\n", argv[1]);
	else
		usage(0);
	if (path == NULL) {
		if ((conf = conf_load(conffile)) == NULL)
			die("%s: configuration not valid", conffile);
		path = conf->g.control_socket;
		if (path[0] == '\0')
			die("%s: no control socket is configured", conffile);
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		die("%s: path too long", path);
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		die("%s: %s (is usmbd running, and are you root?)", path,
		    strerror(errno));
	len = strlen(req);
	/* A refusal may close the socket first: read it all the same. */
	if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len &&
	    errno != EPIPE && errno != ECONNRESET)
		die("%s: %s", path, strerror(errno));
	(void)shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (first && (size_t)n >= 7 && memcmp(buf, "error: ", 7) == 0)
			err = 1;
		first = 0;
		if (fwrite(buf, 1, (size_t)n, err ? stderr : stdout) !=
		    (size_t)n)
			die("write: %s", strerror(errno));
	}
	if (n == -1)
		die("%s: %s", path, strerror(errno));
	if (first)
		die("%s: no answer", path);
	close(fd);
	conf_free(conf);
	return err;
}
