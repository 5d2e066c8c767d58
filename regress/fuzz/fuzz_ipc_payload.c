/*
 * libFuzzer target: the logon, name lookup and usmbd-ctl payloads a peer
 * process sends (shared/ipc_payload.c).  Whatever decodes must encode
 * back to the length its rule demands, with its strings terminated, and
 * an open-file list that decodes names nothing a terminal acts on.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "buf.h"
#include "ipc_payload.h"

FUZZ_TARGET(ipc_payload, data, len)
{
	static struct names_msg nm;
	static struct session_info si;
	static struct session_file f;
	struct session_files_hdr fh;
	const char *s;
	size_t i;
	struct auth_confirm cf;
	struct auth_claim cl;
	struct auth_result ar;
	struct wbuf w;
	struct rbuf r;

	rbuf_init(&r, data, len);
	if (ipc_get_auth_result(&r, &ar) == 0 &&
	    (ar.ngroups > AUTH_MAX_GROUPS ||
	    strnlen(ar.user, sizeof(ar.user)) == sizeof(ar.user)))
		abort();
	rbuf_init(&r, data, len);
	if (ipc_get_auth_claim(&r, &cl) == 0 &&
	    strnlen(cl.user, sizeof(cl.user)) == sizeof(cl.user))
		abort();
	rbuf_init(&r, data, len);
	if (ipc_get_auth_confirm(&r, &cf) == 0) {
		wbuf_init(&w, AUTH_CONFIRM_WIRE_LEN);
		ipc_put_auth_confirm(&w, &cf);
		if (wbuf_error(&w) || wbuf_len(&w) != AUTH_CONFIRM_WIRE_LEN)
			abort();
		wbuf_free(&w);
	}
	rbuf_init(&r, data, len);
	if (ipc_get_names_msg(&r, &nm) == 0 && nm.count > NAMES_MAX_ENTRIES)
		abort();
	/* A session report that decodes names only printable shares. */
	rbuf_init(&r, data, len);
	if (ipc_get_session_info(&r, &si) == 0) {
		if (si.nshares > SESSION_INFO_MAX_SHARES)
			abort();
		for (i = 0; i < si.nshares; i++)
			for (s = si.shares[i]; *s != '\0'; s++)
				if ((unsigned char)*s < 0x20 || *s == 0x7f)
					abort();
	}
	/* A worker's open-file list: header, then as many entries as parse. */
	rbuf_init(&r, data, len);
	if (ipc_get_files_hdr(&r, &fh) == 0) {
		if (fh.n > fh.total || fh.n > SESSION_FILES_MAX)
			abort();
		while (ipc_get_file(&r, &f) == 0) {
			if (f.share[0] == '\0' || strlen(f.path) >
			    SESSION_FILE_PATH_MAX)
				abort();
			for (s = f.path; *s != '\0'; s++)
				if ((unsigned char)*s < 0x20 || *s == 0x7f ||
				    ((unsigned char)s[0] == 0xc2 &&
				    (unsigned char)s[1] >= 0x80 &&
				    (unsigned char)s[1] < 0xa0))
					abort();
			wbuf_init(&w, ipc_file_wire_len(&f));
			ipc_put_file(&w, &f);
			if (wbuf_error(&w))
				abort();
			wbuf_free(&w);
		}
	}
	return 0;
}
