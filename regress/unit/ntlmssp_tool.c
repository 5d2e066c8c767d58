/*
 * A line-oriented front end to the NTLMSSP server, so that an independent
 * client (impacket, driven by regress/ntlm_impacket.sh) can authenticate
 * against it.  Reads a NEGOTIATE_MESSAGE as one line of hex on stdin and
 * prints "CHALLENGE <hex>"; reads the AUTHENTICATE_MESSAGE the same way and
 * prints "USER <user>", "DOMAIN <domain>" and either "OK <session key>" or
 * "FAIL".
 *
 * usage: ntlmssp_tool [-a] -p password
 *	-a	allow anonymous logons
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "md4.h"
#include "ntlmssp.h"

static uint8_t *
read_hex_line(size_t *len)
{
	char *line = NULL;
	size_t cap = 0, i, n = 0;
	ssize_t got;
	uint8_t *out;
	unsigned int v;

	if ((got = getline(&line, &cap, stdin)) == -1) {
		free(line);
		return NULL;
	}
	out = malloc((size_t)got / 2 + 1);
	if (out == NULL) {
		free(line);
		return NULL;
	}
	for (i = 0; i + 1 < (size_t)got && line[i] != '\n'; i += 2) {
		if (sscanf(line + i, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
	}
	free(line);
	*len = n;
	return out;
}

static void
print_hex(const char *label, const uint8_t *p, size_t n)
{
	size_t i;

	printf("%s ", label);
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct ntlmssp_server_cfg cfg = {
		.netbios_domain = "WORKGROUP",
		.netbios_computer = "USMBDTEST",
		.dns_domain = "",
		.dns_computer = "usmbdtest",
	};
	struct ntlmssp_auth_info info;
	struct ntlmssp_server *s;
	struct wbuf chal;
	const char *password = NULL;
	uint8_t nthash[16], key[16];
	uint8_t *msg;
	size_t len;
	int ch, ret = 1;

	log_init(1, 0);
	while ((ch = getopt(argc, argv, "ap:")) != -1) {
		switch (ch) {
		case 'a':
			cfg.allow_anonymous = 1;
			break;
		case 'p':
			password = optarg;
			break;
		default:
			fprintf(stderr, "usage: ntlmssp_tool [-a] -p password\n");
			return 2;
		}
	}
	if (password == NULL || nt_hash(password, nthash) == -1) {
		fprintf(stderr, "usage: ntlmssp_tool [-a] -p password\n");
		return 2;
	}
	if ((s = ntlmssp_server_new(&cfg)) == NULL)
		return 1;
	wbuf_init(&chal, 65536);
	if ((msg = read_hex_line(&len)) == NULL ||
	    ntlmssp_server_negotiate(s, msg, len, &chal) == -1) {
		printf("FAIL\n");
		goto out;
	}
	free(msg);
	print_hex("CHALLENGE", wbuf_data(&chal), wbuf_len(&chal));
	if ((msg = read_hex_line(&len)) == NULL ||
	    ntlmssp_server_parse_auth(s, msg, len, &info) == -1) {
		printf("FAIL\n");
		goto out;
	}
	printf("USER %s\nDOMAIN %s\n", info.user, info.domain);
	if (ntlmssp_server_verify(s, info.anonymous ? NULL : nthash, key) ==
	    0) {
		print_hex(info.anonymous ? "OK-ANONYMOUS" : "OK", key,
		    sizeof(key));
		ret = 0;
	} else
		printf("FAIL\n");
	ntlmssp_auth_info_free(&info);
out:
	free(msg);
	fflush(stdout);
	wbuf_free(&chal);
	ntlmssp_server_free(s);
	explicit_bzero(nthash, sizeof(nthash));
	return ret;
}
