/*
 * libFuzzer target for NEGOTIATE with a fixed server configuration.  The
 * first byte picks what the rest is:
 *   0 (mod 3): an SMB2 NEGOTIATE request message, header included; after
 *      a success the response is checked for its fixed fields;
 *   1: an SMB1 message for the multi-protocol negotiate parser;
 *   2: VALIDATE_NEGOTIATE_INFO input against a fixed 3.0.2 negotiation.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "buf.h"
#include "log.h"
#include "ntstatus.h"
#include "smb2.h"
#include "smb2_negotiate.h"


static void
fuzz_log(int level, const char *line)
{
	(void)level;
	(void)line;
}

static void
fuzz_cfg(struct smb2_negotiate_cfg *cfg)
{
	static const uint8_t blob[74] = { 0x60, 0x48 };

	memset(cfg, 0, sizeof(*cfg));
	cfg->min_dialect = SMB2_DIALECT_202;
	cfg->max_dialect = SMB2_DIALECT_311;
	cfg->encryption_enabled = 1;
	cfg->ciphers[0] = SMB2_CIPHER_AES256_GCM;
	cfg->ciphers[1] = SMB2_CIPHER_AES128_GCM;
	cfg->ciphers[2] = SMB2_CIPHER_AES128_CCM;
	cfg->nciphers = 3;
	cfg->signalgs[0] = SMB2_SIGN_AES_GMAC;
	cfg->signalgs[1] = SMB2_SIGN_AES_CMAC;
	cfg->nsignalgs = 2;
	memset(cfg->server_guid, 0x5a, 16);
	cfg->max_trans = cfg->max_read = cfg->max_write = 1 << 23;
	cfg->security_blob = blob;
	cfg->security_blob_len = sizeof(blob);
	cfg->large_mtu = cfg->leasing = cfg->multichannel = 1;
}

FUZZ_TARGET(negotiate, data, size)
{
	static const uint16_t d302[] = {
		SMB2_DIALECT_202, SMB2_DIALECT_210, SMB2_DIALECT_300,
		SMB2_DIALECT_302,
	};
	struct smb2_negotiate_cfg cfg;
	struct smb2_negotiate_result res;
	struct rbuf r;
	struct wbuf w;
	uint32_t st;
	int o202, o2xx;
	size_t i;

	log_set_forward(fuzz_log);
	if (size < 1)
		return 0;
	fuzz_cfg(&cfg);
	wbuf_init(&w, 1 << 16);
	switch (data[0] % 3) {
	case 0:
		rbuf_init(&r, data + 1, size - 1);
		memset(&res, 0, sizeof(res));
		st = smb2_negotiate_process(&cfg, &r, &res, &w);
		if (rbuf_offset(&r) != 0)
			abort();
		if (st == NT_STATUS_SUCCESS) {
			const uint8_t *p = wbuf_data(&w);

			if (wbuf_len(&w) < 64 + cfg.security_blob_len ||
			    p[0] != 65 || p[1] != 0 ||
			    (uint16_t)(p[4] | p[5] << 8) != res.dialect ||
			    res.nclient_dialects == 0 ||
			    res.nclient_dialects > SMB2_NEGOTIATE_MAX_DIALECTS)
				abort();
		}
		break;
	case 1:
		if (smb1_negotiate_parse(data + 1, size - 1, &o202,
		    &o2xx) == 0) {
			uint16_t d = smb1_negotiate_select(&cfg, o202, o2xx);

			if (d != 0 && smb2_negotiate_smb1_response(&cfg, d,
			    &res, &w) == -1)
				abort();
		}
		break;
	default:
		memset(&res, 0, sizeof(res));
		res.dialect = SMB2_DIALECT_302;
		res.client_security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
		res.client_capabilities = SMB2_GLOBAL_CAP_ENCRYPTION;
		for (i = 0; i < 4; i++)
			res.client_dialects[i] = d302[i];
		res.nclient_dialects = 4;
		rbuf_init(&r, data + 1, size - 1);
		st = smb2_validate_negotiate(&cfg, &res, &r, &w);
		if (st == NT_STATUS_SUCCESS &&
		    wbuf_len(&w) != SMB2_VALIDATE_NEGOTIATE_RESP_LEN)
			abort();
		break;
	}
	wbuf_free(&w);
	return 0;
}
