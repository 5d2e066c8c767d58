/*
 * libFuzzer target: a Kerberos AP-REQ as it reaches usmbd-authd, in a
 * SPNEGO NegTokenInit (or a bare krb5 mechanism token), checked by
 * authd_krb5_accept() with libkrb5 against a keytab that holds the key
 * of cifs/usmbd.test@USMBD.TEST derived from the password "fuzz-key-1".
 * The seeds are real AP-REQs for that key (regress/fuzz/corpus/krb5), so
 * the fuzzer reaches the ticket and authenticator decryption, the time
 * and replay checks and the AP-REP.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <krb5.h>

#include "fuzz.h"
#include "authd_krb5.h"
#include "buf.h"
#include "spnego.h"

#define FUZZ_KT		"MEMORY:usmbd-fuzz"

static int
fuzz_krb5_setup(void)
{
	static const krb5_enctype etypes[] = {
		ENCTYPE_AES256_CTS_HMAC_SHA1_96,
		ENCTYPE_AES128_CTS_HMAC_SHA1_96,
	};
	krb5_context ctx;
	krb5_keytab kt;
	krb5_principal pr;
	krb5_keytab_entry ent;
	krb5_data pw, salt;
	size_t i;

	if (krb5_init_context(&ctx) != 0 ||
	    krb5_kt_resolve(ctx, FUZZ_KT, &kt) != 0 ||
	    krb5_parse_name(ctx, "cifs/usmbd.test@USMBD.TEST", &pr) != 0 ||
	    krb5_principal2salt(ctx, pr, &salt) != 0)
		return -1;
	pw.data = (char *)"fuzz-key-1";
	pw.length = (unsigned int)strlen(pw.data);
	for (i = 0; i < sizeof(etypes) / sizeof(etypes[0]); i++) {
		memset(&ent, 0, sizeof(ent));
		ent.principal = pr;
		ent.vno = 1;
		if (krb5_c_string_to_key(ctx, etypes[i], &pw, &salt,
		    &ent.key) != 0 || krb5_kt_add_entry(ctx, kt, &ent) != 0)
			return -1;
		krb5_free_keyblock_contents(ctx, &ent.key);
	}
	/* The MEMORY keytab lives while one handle to it is open. */
	return authd_krb5_init_keytab(FUZZ_KT);
}

FUZZ_TARGET(krb5, data, len)
{
	static int ready;
	struct authd_krb5_result res;
	struct spnego_token t;
	struct wbuf w;

	if (!ready) {
		if (fuzz_krb5_setup() == -1)
			abort();
		ready = 1;
	}
	wbuf_init(&w, 1 << 16);
	if (spnego_parse(data, len, &t) == 0 && t.mech_token != NULL)
		authd_krb5_accept(t.mech_token, t.mech_token_len, &res, &w);
	else
		authd_krb5_accept(data, len, &res, &w);
	/* To see how far a seed gets. */
	if (getenv("FUZZ_KRB5_DEBUG") != NULL)
		fprintf(stderr, "krb5: %s\n", res.why != NULL ? res.why :
		    "accepted");
	wbuf_free(&w);
	return 0;
}
