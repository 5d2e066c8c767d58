/*
 * Unit tests for the SMB2/3 cryptography: key derivation, signing,
 * encryption and the preauthentication integrity hash, against the
 * published Microsoft test vectors, plus round trips, tampering and nonce
 * uniqueness.
 *
 * Sources of the vectors (Microsoft Open Specifications blog):
 *  [ANATOMY]  "SMB 2 and SMB 3 security in Windows 10: the anatomy of
 *             signing and cryptographic keys", appendix "Key derivation
 *             examples" (SMB 3.0 and 3.1.1 multichannel).
 *  [ENC311]   "SMB 3.1.1 Encryption in Windows 10" (2015-09-09), appendix A:
 *             A.1 AES-128-GCM and A.2 AES-128-CCM, with the preauth hash
 *             steps, the keys, and the WRITE/READ messages encrypted.
 *  [ENC30]    "Encryption in SMB 3.0: A protocol perspective" (2012-10-05),
 *             the test vector section (AES-128-CCM).
 * Values marked [PYCA] have no published vector; they were computed
 * independently with Python's hmac module and the pyca "cryptography"
 * package (AESGCM, AESCCM) from the same inputs.  In particular no
 * Windows-made AES-GMAC signature was found: the GMAC values check the nonce
 * layout as MS-SMB2 3.1.4.1 describes it, against that second
 * implementation.
 */
#include "config.h"

#include <sys/uio.h>

#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "smb2_crypto.h"
#include "unit.h"
#include "util.h"

#define MAXMSG	4096

static void
quiet(int level, const char *line)
{
	(void)level;
	(void)line;
}

static size_t
hex(const char *s, uint8_t *out, size_t max)
{
	return unit_unhex(s, out, max);
}

/* ---- Key derivation ------------------------------------------------- */

/* [ENC311] A.1: the 3.1.1 session's final preauth hash. */
static const char *gcm_preauth =
    "B23F3CBFD69487D9832B79B1594A367CDD950909B774C3A4C412B4FCEA9EDDDB"
    "A7DB256BA2EA30E977F11F9B113247578E0E915C6D2A513B8F2FCA5707DC8770";
/* [ENC311] A.2. */
static const char *ccm_preauth =
    "DECF98A420718718F22090D3580FCC5E484BD310FA1268210C6E86335A8891E7"
    "67F5BCD99FA5A7859D665AD07A73EA94E1BCDB7CFA69A6962A28A244138340B1";

struct keyvec {
	uint16_t	 dialect;
	enum smb2_cipher cipher;
	const char	*session_key;
	const char	*preauth;
	const char	*signing;
	const char	*encrypt;	/* server to client */
	const char	*decrypt;	/* client to server */
	const char	*application;
};

/*
 * The blogs show a Windows client's keys: its EncryptionKey is the
 * server's DecryptionKey (client to server) and the other way round.
 */
static const struct keyvec keyvecs[] = {
	/* [ENC30] */
	{ SMB2_DIALECT_300, SMB2_CIPHER_AES128_CCM,
	    "B4546771B515F766A86735532DD6C4F0", NULL,
	    "F773CD23C18FD1E08EE510CADA7CF852",
	    "8FE2B57EC34D2DB5B1A9727F526BBDB5",
	    "261B72350558F2E9DCF613070383EDBF",
	    "77432F808CE99156B5BC6A3676D730D1" },
	/* [ANATOMY] SMB 3.0, first channel. */
	{ SMB2_DIALECT_300, SMB2_CIPHER_AES128_CCM,
	    "7CD451825D0450D235424E44BA6E78CC", NULL,
	    "0B7E9C5CAC36C0F6EA9AB275298CEDCE",
	    "B0F0427F7CEB416D1D9DCC0CD4F99447",
	    "FAD27796665B313EBB578F388632B4F7",
	    "BB23A4575AA26C721AF525AF15A87B4F" },
	/* 3.0.2 derives exactly as 3.0. */
	{ SMB2_DIALECT_302, SMB2_CIPHER_NONE,
	    "7CD451825D0450D235424E44BA6E78CC", NULL,
	    "0B7E9C5CAC36C0F6EA9AB275298CEDCE",
	    "B0F0427F7CEB416D1D9DCC0CD4F99447",
	    "FAD27796665B313EBB578F388632B4F7",
	    "BB23A4575AA26C721AF525AF15A87B4F" },
	/* [ENC311] A.1 (AES-128-GCM). */
	{ SMB2_DIALECT_311, SMB2_CIPHER_AES128_GCM,
	    "419FDDF34C1E001909D362AE7FB6AF79", NULL,
	    "8765949DFEAEE105CE9118B45BE988F0",
	    "748C50868C90F302962A5C35F5F9A8BF",
	    "A2F5E80E5D59103034F32E52F698E5EC",
	    "099D610789FBE82055B313601C3E8CC4" },
	/* [ENC311] A.2 (AES-128-CCM). */
	{ SMB2_DIALECT_311, SMB2_CIPHER_AES128_CCM,
	    "07B7F69C1E2581662DF6987E88F9E891", NULL,
	    "3DCC82C5795AE27F383242761078C59B",
	    "95C544AEF6072680DA1CE49A68A97FA6",
	    "DFAAA31AAE40A2485D47AC4DF09FDA1D",
	    "7A2F0F73EC2D530879B2913BBFCE242F" },
	/* [ANATOMY] SMB 3.1.1, first channel. */
	{ SMB2_DIALECT_311, SMB2_CIPHER_AES128_GCM,
	    "270E1BA896585EEB7AF3472D3B4C75A7",
	    "0DD13628CC3ED218EF9DF9772D436D0887AB9814BFAE63A80AA845F36909DB79"
	    "28622DDDAD522D9751640A459762C5A9D6BB084CBB3CE6BDADEF5D5BCE3C6C01",
	    "73FE7A9A77BEF0BDE49C650D8CCB5F76",
	    "E2AF0DCEFAC68DA71A0DFBD0D1350D74",
	    "629BCBC54422A0F572B97F45989B6073",
	    "6D7AD7954E9EC61E907B4D473DC178FF" },
};

static void
test_kdf(void)
{
	uint8_t key[16], ctx[64], out[32], want[16];
	static const char label[] = "SMBSigningKey";

	hex("419FDDF34C1E001909D362AE7FB6AF79", key, sizeof(key));
	hex(gcm_preauth, ctx, sizeof(ctx));
	hex("8765949DFEAEE105CE9118B45BE988F0", want, sizeof(want));
	CHECK(smb2_kdf(key, sizeof(key), label, sizeof(label), ctx,
	    sizeof(ctx), out, 16) == 0);
	CHECK_MEM(out, want, 16);
	/* The label's NUL matters. */
	CHECK(smb2_kdf(key, sizeof(key), label, sizeof(label) - 1, ctx,
	    sizeof(ctx), out, 16) == 0);
	CHECK(memcmp(out, want, 16) != 0);
	/* L is part of the input: 256 bits is not 128 bits extended. */
	CHECK(smb2_kdf(key, sizeof(key), label, sizeof(label), ctx,
	    sizeof(ctx), out, 32) == 0);
	CHECK(memcmp(out, want, 16) != 0);
	CHECK(smb2_kdf(NULL, 0, label, sizeof(label), ctx, sizeof(ctx),
	    out, 16) == -1);
	CHECK(smb2_kdf(key, sizeof(key), label, sizeof(label), ctx,
	    sizeof(ctx), out, 0) == -1);
}

static void
test_derive(void)
{
	const struct keyvec *v;
	struct smb2_keys k;
	uint8_t sk[32], pre[64], want[32], full[32];
	size_t i, sklen;

	for (i = 0; i < nitems(keyvecs); i++) {
		v = &keyvecs[i];
		sklen = hex(v->session_key, sk, sizeof(sk));
		if (v->preauth != NULL)
			hex(v->preauth, pre, sizeof(pre));
		else if (v->cipher == SMB2_CIPHER_AES128_CCM &&
		    v->dialect == SMB2_DIALECT_311)
			hex(ccm_preauth, pre, sizeof(pre));
		else
			hex(gcm_preauth, pre, sizeof(pre));
		CHECK(smb2_derive_keys(v->dialect, v->cipher, sk, sklen,
		    v->dialect == SMB2_DIALECT_311 ? pre : NULL, &k) == 0);
		CHECK(k.signing_len == 16 && k.cipher_key_len == 16);
		hex(v->signing, want, sizeof(want));
		CHECK_MEM(k.signing, want, 16);
		hex(v->encrypt, want, sizeof(want));
		CHECK_MEM(k.encrypt, want, 16);
		hex(v->decrypt, want, sizeof(want));
		CHECK_MEM(k.decrypt, want, 16);
		hex(v->application, want, sizeof(want));
		CHECK_MEM(k.application, want, 16);
	}

	/* [ANATOMY] Second channels: their Channel.SigningKey. */
	hex("4E01A2B313BCF660CC250BEF021AEDE6", sk, 16);
	CHECK(smb2_derive_keys(SMB2_DIALECT_300, SMB2_CIPHER_AES128_CCM, sk,
	    16, NULL, &k) == 0);
	hex("BA1A17DBBFEC349BCA105563D598952F", want, 16);
	CHECK_MEM(k.signing, want, 16);
	hex("84B9DBB730116A8FA6E9889555C265F9", sk, 16);
	hex("EA3BF912B11CBFEC5B1889E8209614218687F82FA5294521AD3063425E49E88A"
	    "10BD022124CE25123BC9111F52D9566BA88BF46344E6063DC5E3FF0389026F6C",
	    pre, 64);
	CHECK(smb2_derive_keys(SMB2_DIALECT_311, SMB2_CIPHER_AES128_GCM, sk,
	    16, pre, &k) == 0);
	hex("C962BCA1A9DD1697B030644199705431", want, 16);
	CHECK_MEM(k.signing, want, 16);

	/* 2.x: the session key signs; a longer key is cut to 16 bytes. */
	memset(full, 0x5a, sizeof(full));
	CHECK(smb2_derive_keys(SMB2_DIALECT_210, SMB2_CIPHER_NONE, full, 32,
	    NULL, &k) == 0);
	CHECK(k.signing_len == 16 && k.cipher_key_len == 0);
	CHECK_MEM(k.signing, full, 16);
	/* A short key is right-padded with zeros. */
	CHECK(smb2_derive_keys(SMB2_DIALECT_202, SMB2_CIPHER_NONE, full, 8,
	    NULL, &k) == 0);
	memset(want, 0, 16);
	memset(want, 0x5a, 8);
	CHECK_MEM(k.signing, want, 16);

	/*
	 * AES-256 ([PYCA]): cipher keys of 256 bits from the whole
	 * (FullSessionKey), signing key still from the first 16 bytes.
	 */
	hex("419FDDF34C1E001909D362AE7FB6AF79"
	    "00112233445566778899AABBCCDDEEFF", full, 32);
	hex(gcm_preauth, pre, 64);
	CHECK(smb2_derive_keys(SMB2_DIALECT_311, SMB2_CIPHER_AES256_GCM, full,
	    32, pre, &k) == 0);
	CHECK(k.cipher_key_len == 32 && k.signing_len == 16);
	hex("8765949DFEAEE105CE9118B45BE988F0", want, 16);
	CHECK_MEM(k.signing, want, 16);
	hex("3f98cb6e2c98998b0fc06f6aec1d6060a0582c074dbefd18ebcba71094b47b10",
	    want, 32);
	CHECK_MEM(k.encrypt, want, 32);
	hex("4085c781059acda05388694e12dff2782f2ce7bd856490ac10f20023052268af",
	    want, 32);
	CHECK_MEM(k.decrypt, want, 32);
	CHECK(smb2_derive_keys(SMB2_DIALECT_311, SMB2_CIPHER_AES256_CCM, full,
	    32, pre, &k) == 0);
	CHECK(k.cipher_key_len == 32);

	/* Refusals. */
	CHECK(smb2_derive_keys(SMB2_DIALECT_210, SMB2_CIPHER_AES128_CCM, full,
	    16, NULL, &k) == -1);
	CHECK(smb2_derive_keys(SMB2_DIALECT_300, SMB2_CIPHER_AES128_GCM, full,
	    16, NULL, &k) == -1);
	CHECK(smb2_derive_keys(SMB2_DIALECT_302, SMB2_CIPHER_AES256_GCM, full,
	    32, NULL, &k) == -1);
	CHECK(smb2_derive_keys(SMB2_DIALECT_311, SMB2_CIPHER_AES128_GCM, full,
	    16, NULL, &k) == -1);
	CHECK(smb2_derive_keys(SMB2_DIALECT_311, (enum smb2_cipher)5, full,
	    16, pre, &k) == -1);
	CHECK(smb2_derive_keys(0x0201, SMB2_CIPHER_NONE, full, 16, NULL,
	    &k) == -1);
	CHECK(smb2_derive_keys(SMB2_DIALECT_300, SMB2_CIPHER_NONE, full, 0,
	    NULL, &k) == -1);
}

/* ---- Preauthentication integrity ------------------------------------ */

/*
 * [ENC311] A.1: the NEGOTIATE and SESSION_SETUP messages, and the hash
 * after each.
 */
static const char *preauth_msgs[] = {
	"FE534D4240000100000000000000010000000000000000000000000000000000"
	"FFFE000000000000"
	"0000000000000000000000000000000000000000000000002400050001000000"
	"660000004F0D7FA0"
	"09F5B246B2EF62551D7D7C097000000002000000020210020003020311030000"
	"0100260000000000"
	"010020000100D1709D7196E1BD0B6EBF95213D76553435763514392649FD6F21"
	"6ED8BF269CD80000"
	"0200060000000000020002000100",

	"FE534D4240000100000000000000010001000000000000000000000000000000"
	"FFFE000000000000"
	"0000000000000000000000000000000000000000000000004100010011030200"
	"39CBCAF329714942"
	"BDCE5D60F09AB3FB27000000000080000000800000008000D1168E69CDAED001"
	"09094AB095AED001"
	"80004001C00100006082013C06062B0601050502A08201303082012CA01A3018"
	"060A2B0601040182"
	"3702021E060A2B06010401823702020AA282010C048201084E45474F45585453"
	"0100000000000000"
	"6000000070000000807CC0FD06D6362D02DDE1CF343BFE29C16AA4EA4741FB0E"
	"F645DC5C5D3C3E6A"
	"8DE5D0BAEF7A06DC070076174356EDA000000000000000006000000001000000"
	"0000000000000000"
	"5C33530DEAF90D4DB2EC4AE3786EC3084E45474F455854530300000001000000"
	"4000000098000000"
	"807CC0FD06D6362D02DDE1CF343BFE295C33530DEAF90D4DB2EC4AE3786EC308"
	"4000000058000000"
	"3056A05430523027802530233121301F06035504031318546F6B656E20536967"
	"6E696E6720507562"
	"6C6963204B65793027802530233121301F06035504031318546F6B656E205369"
	"676E696E67205075"
	"626C6963204B65790100260000000000010020000100B51C002C28941192737A"
	"08344B05CE90786E"
	"EC146D99CDB60AE44E5A86127D270000020004000000000001000200",

	"FE534D4240000100000000000100800000000000000000000100000000000000"
	"FFFE000000000000"
	"0000000000000000000000000000000000000000000000001900000101000000"
	"0000000058004A00"
	"0000000000000000604806062B0601050502A03E303CA00E300C060A2B060104"
	"01823702020AA22A"
	"04284E544C4D5353500001000000978208E20000000000000000000000000000"
	"0000060380250000"
	"000F",

	"FE534D4240000100160000C00100010001000000000000000100000000000000"
	"FFFE000000000000"
	"250000000010000000000000000000000000000000000000090000004800B300"
	"A181B03081ADA003"
	"0A0101A10C060A2B06010401823702020AA281970481944E544C4D5353500002"
	"0000000C000C0038"
	"00000015828AE25FC0CB7F886E93D6000000000000000050005000440000000A"
	"0092270000000F53"
	"005500540033003100310002000C0053005500540033003100310001000C0053"
	"0055005400330031"
	"00310004000C0053005500540033003100310003000C00530055005400330031"
	"0031000700080024"
	"8D5C6CCDAED00100000000",

	"FE534D4240000100000000000100800000000000000000000200000000000000"
	"FFFE000000000000"
	"2500000000100000000000000000000000000000000000001900000101000000"
	"000000005800CF01"
	"0000000000000000A18201CB308201C7A0030A0101A28201AA048201A64E544C"
	"4D53535000030000"
	"001800180090000000EE00EE00A80000000C000C00580000001A001A00640000"
	"00120012007E0000"
	"001000100096010000158288E2060380250000000FA5E34268EF143BE5816251"
	"D02C564E9B530055"
	"005400330031003100610064006D0069006E006900730074007200610074006F"
	"0072004400520049"
	"0056004500520033003100310000000000000000000000000000000000000000"
	"00000000002C263D"
	"A5C2D54785E8EDA0552472D3A30101000000000000248D5C6CCDAED001BEA7A5"
	"3E2DC098EB000000"
	"0002000C0053005500540033003100310001000C005300550054003300310031"
	"0004000C00530055"
	"00540033003100310003000C0053005500540033003100310007000800248D5C"
	"6CCDAED001060004"
	"00020000000800300030000000000000000000000000300000B61FEFCAA857EA"
	"57BF1EDCEBF8974B"
	"8E0EBA5A6DFD9D07A31D11B548F8C9D0CC0A0010000000000000000000000000"
	"0000000000090016"
	"0063006900660073002F00530055005400330031003100000000000000000000"
	"000000133FA6EA15"
	"4880BB44576C6E2490BDE7A31204100100000067890BD408F5680D00000000",
};

static const char *preauth_hashes[] = {
	"550442DAF311412870AD9E58E602B0312D61328D6B1AC28F22AF46D6EA581F23"
	"A9BFABE0CC0411976BF3F9DA23D3433352CB48CF00B8659BC1A3695E1B1A52A8",
	"ABE4DA6E875F6FB05033AF04DCC38C92888B4E13D1EAB7AA05CADE142064974C"
	"B3EAB0782600549BA27207AA213B0D190B9950FA36D45BE32A888BFEE8389B74",
	"A5E8AB87E2ADB8FA5F4545D20F1FD2019D66CCD0F4DFD1F762F1DFC8DCB15B98"
	"D0BD1F1450F6A0AFC70F80B353C2D959217681949CF22DF35F31257A281C6A80",
	"9A095455244172898902B0FBDF5FEFAFD8435BB66A47EB55CB7542732A423F58"
	"B12B3ED698BEF3878D8A346FD9F5CC882DA37AAF2A939290E98B935FC72B3944",
	"B23F3CBFD69487D9832B79B1594A367CDD950909B774C3A4C412B4FCEA9EDDDB"
	"A7DB256BA2EA30E977F11F9B113247578E0E915C6D2A513B8F2FCA5707DC8770",
};

static void
test_preauth(void)
{
	uint8_t hash[64], hash2[64], want[64], msg[MAXMSG];
	struct iovec iov[3];
	size_t i, n;

	memset(hash, 0, sizeof(hash));
	memset(hash2, 0, sizeof(hash2));
	for (i = 0; i < nitems(preauth_msgs); i++) {
		n = hex(preauth_msgs[i], msg, sizeof(msg));
		smb2_preauth_hash_update(hash, msg, n);
		/* The gathered form gives the same hash. */
		iov[0].iov_base = msg;
		iov[0].iov_len = 10;
		iov[1].iov_base = msg + 10;
		iov[1].iov_len = 0;
		iov[2].iov_base = msg + 10;
		iov[2].iov_len = n - 10;
		smb2_preauth_hash_update_iov(hash2, iov, 3);
		hex(preauth_hashes[i], want, sizeof(want));
		CHECK_MEM(hash, want, 64);
		CHECK_MEM(hash2, want, 64);
	}
}

/* ---- Signing ---------------------------------------------------------- */

struct sigvec {
	const char	*key;
	const char	*msg;
};

/*
 * Signed SESSION_SETUP messages with their signing keys, all AES-CMAC.
 * The final responses are signed with the session's (or the bound
 * channel's) SigningKey; the binding requests and the interim binding
 * response with the master session's.
 */
static const struct sigvec cmacvecs[] = {
	/* [ENC311] A.1 final response. */
	{ "8765949DFEAEE105CE9118B45BE988F0",
	  "FE534D4240000100000000000100800009000000000000000200000000000000"
	  "FFFE000000000000"
	  "25000000001000006B85A4519A0F3EEA35BA946DD3AFE6B80900000048001D00"
	  "A11B3019A0030A01" "00A3120410010000003932A87523AB660100000000" },
	/* [ENC311] A.2 final response. */
	{ "3DCC82C5795AE27F383242761078C59B",
	  "FE534D4240000100000000000100800009000000000000000200000000000000"
	  "FFFE000000000000"
	  "21000000001000003676196AEE8CA17E5D50A53642EF2BE40900000048001D00"
	  "A11B3019A0030A01" "00A3120410010000000F57444342A2717E00000000" },
	/* [ANATOMY] 3.1.1 master session final response. */
	{ "73FE7A9A77BEF0BDE49C650D8CCB5F76",
	  "FE534D4240000100000000000100800009000000000000000300000000000000"
	  "FFFE000000000000"
	  "1900000000100000EBE146DA120BA25FC3376A49DFE31BC10900000048001D00"
	  "A11B3019A0030A01" "00A3120410010000003B453CDC3524164200000000" },
	/* [ANATOMY] binding channel final response: Channel.SigningKey. */
	{ "C962BCA1A9DD1697B030644199705431",
	  "FE534D4240000100000000000100800009000000000000000300000000000000"
	  "FFFE000000000000"
	  "19000000001000008D604217FFBACF40635BF9D8729921500900000048001D00"
	  "A11B3019A0030A01" "00A312041001000000CFB046FC5D368E2200000000" },
	/* [ANATOMY] binding request 1: the master session's key. */
	{ "73FE7A9A77BEF0BDE49C650D8CCB5F76",
	  "FE534D4240000100000000000100800008000000000000000200000000000000"
	  "FFFE000000000000"
	  "190000000010000068BD0C58F613CE1334B1EB51C68D39EA1900010101000000"
	  "0000000058004A00"
	  "0000000000000000604806062B0601050502A03E303CA00E300C060A2B060104"
	  "01823702020AA22A"
	  "04284E544C4D5353500001000000978208E20000000000000000000000000000"
	  "0000060380250000" "000F" },
	/* [ANATOMY] binding interim response (MORE_PROCESSING_REQUIRED). */
	{ "73FE7A9A77BEF0BDE49C650D8CCB5F76",
	  "FE534D4240000100160000C00100010009000000000000000200000000000000"
	  "FFFE000000000000"
	  "1900000000100000014A71CAE724995E612430E2BE87578C090000004800B300"
	  "A181B03081ADA003"
	  "0A0101A10C060A2B06010401823702020AA281970481944E544C4D5353500002"
	  "0000000C000C0038"
	  "00000015828AE23823DA68E32D2FE1000000000000000050005000440000000A"
	  "0092270000000F53"
	  "005500540033003100310002000C0053005500540033003100310001000C0053"
	  "0055005400330031"
	  "00310004000C0053005500540033003100310003000C00530055005400330031"
	  "0031000700080041"
	  "3B42AECBAED00100000000" },
};

static void
test_sign_vectors(void)
{
	struct smb2_signer *s;
	struct smb2_keys k;
	uint8_t key[16], msg[MAXMSG], copy[MAXMSG], want[16];
	uint8_t sk[16], pre[64];
	struct iovec iov[2];
	size_t i, n;

	for (i = 0; i < nitems(cmacvecs); i++) {
		hex(cmacvecs[i].key, key, sizeof(key));
		n = hex(cmacvecs[i].msg, msg, sizeof(msg));
		s = smb2_signer_new(SMB2_DIALECT_311, SMB2_SIGN_AES_CMAC, key,
		    16);
		CHECK(s != NULL);
		if (s == NULL)
			continue;
		CHECK(smb2_verify(s, msg, n) == 0);
		/* Signing a copy with another signature reproduces it. */
		memcpy(copy, msg, n);
		memset(copy + 48, 0xee, 16);
		CHECK(smb2_sign(s, copy, n) == 0);
		CHECK_MEM(copy, msg, n);
		/* A 3.0 signer uses the same algorithm. */
		smb2_signer_free(s);
		s = smb2_signer_new(SMB2_DIALECT_300, SMB2_SIGN_AES_CMAC, key,
		    16);
		CHECK(s != NULL && smb2_verify(s, msg, n) == 0);
		smb2_signer_free(s);
	}

	/* [PYCA] HMAC-SHA256 and AES-GMAC over [ENC311]'s final response. */
	hex(cmacvecs[0].key, key, sizeof(key));
	n = hex(cmacvecs[0].msg, msg, sizeof(msg));
	s = smb2_signer_new(SMB2_DIALECT_210, SMB2_SIGN_HMAC_SHA256, key, 16);
	CHECK(s != NULL);
	iov[0].iov_base = msg;
	iov[0].iov_len = n;
	CHECK(smb2_sign_iov(s, iov, 1, copy) == 0);
	hex("6a88deee0368be83eeb593b2a68345e6", want, 16);
	CHECK_MEM(copy, want, 16);
	smb2_signer_free(s);

	/*
	 * A 3.1.1 client may choose HMAC-SHA256: the algorithm is 2.x's,
	 * the key the 3.1.1 SigningKey, derived from [ENC311] A.1's session
	 * key and preauth hash as for any other algorithm.  Signing with the
	 * session key itself, as 2.x would, gives [PYCA] a4617ec2... instead.
	 */
	hex("419FDDF34C1E001909D362AE7FB6AF79", sk, sizeof(sk));
	hex(gcm_preauth, pre, sizeof(pre));
	CHECK(smb2_derive_keys(SMB2_DIALECT_311, SMB2_CIPHER_AES128_GCM, sk,
	    sizeof(sk), pre, &k) == 0);
	s = smb2_signer_new(SMB2_DIALECT_311, SMB2_SIGN_HMAC_SHA256,
	    k.signing, k.signing_len);
	CHECK(s != NULL && smb2_sign_iov(s, iov, 1, copy) == 0);
	CHECK_MEM(copy, want, 16);
	/* The message carries its AES-CMAC signature, which is not ours. */
	CHECK(s != NULL && smb2_verify(s, msg, n) == -1);
	smb2_signer_free(s);
	s = smb2_signer_new(SMB2_DIALECT_311, SMB2_SIGN_HMAC_SHA256, sk,
	    sizeof(sk));
	CHECK(s != NULL && smb2_sign_iov(s, iov, 1, copy) == 0);
	hex("a4617ec2505e18c5bb339baba6714ee1", want, 16);
	CHECK_MEM(copy, want, 16);
	smb2_signer_free(s);

	s = smb2_signer_new(SMB2_DIALECT_311, SMB2_SIGN_AES_GMAC, key, 16);
	CHECK(s != NULL);
	CHECK(smb2_sign_iov(s, iov, 1, copy) == 0);
	hex("42fe89b1890de0aadf2117ac042b355b", want, 16);
	CHECK_MEM(copy, want, 16);
	/* A CANCEL request: bit 1 of the nonce's last field is set. */
	n = hex("fe534d4240000000000000000c000000080000000000000088776655443322"
	    "11000000000000000025000000001000000000000000000000000000000000"
	    "000004000000", msg, sizeof(msg));
	iov[0].iov_len = n;
	CHECK(smb2_sign_iov(s, iov, 1, copy) == 0);
	hex("444770eddb76ca93d78cd7d35397c4d2", want, 16);
	CHECK_MEM(copy, want, 16);
	/* The same as a READ request: nonce bits clear. */
	msg[12] = 0x08;
	CHECK(smb2_sign_iov(s, iov, 1, copy) == 0);
	hex("6aadadaa23f861d54502dc500fe64fcf", want, 16);
	CHECK_MEM(copy, want, 16);
	/* A server's CANCEL (signed, a response): only the role bit. */
	msg[12] = 0x0c;
	msg[16] = 0x09;
	CHECK(smb2_sign_iov(s, iov, 1, copy) == 0);
	hex("732b08c3c5fe06b67b50879680cf3959", want, 16);
	CHECK_MEM(copy, want, 16);
	smb2_signer_free(s);
}

static void
fill(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245 + 12345;
		p[i] = (uint8_t)(seed >> 16);
	}
}

/* A plausible SMB2 header: protocol id, flags, command, message id. */
static void
make_msg(uint8_t *p, size_t n, uint16_t cmd, uint32_t flags, uint32_t seed)
{
	fill(p, n, seed);
	memcpy(p, "\xfeSMB", 4);
	p[12] = cmd & 0xff;
	p[13] = cmd >> 8;
	p[16] = flags & 0xff;
	p[17] = (flags >> 8) & 0xff;
	p[18] = (flags >> 16) & 0xff;
	p[19] = flags >> 24;
}

static void
test_sign_roundtrip(void)
{
	static const struct {
		uint16_t		dialect;
		enum smb2_signalg	alg;
	} combos[] = {
		{ SMB2_DIALECT_202, SMB2_SIGN_HMAC_SHA256 },
		{ SMB2_DIALECT_210, SMB2_SIGN_HMAC_SHA256 },
		{ SMB2_DIALECT_300, SMB2_SIGN_AES_CMAC },
		{ SMB2_DIALECT_302, SMB2_SIGN_AES_CMAC },
		{ SMB2_DIALECT_311, SMB2_SIGN_HMAC_SHA256 },
		{ SMB2_DIALECT_311, SMB2_SIGN_AES_CMAC },
		{ SMB2_DIALECT_311, SMB2_SIGN_AES_GMAC },
	};
	static const size_t lens[] = { 64, 65, 79, 80, 100, 1000, 4096 };
	struct smb2_signer *s, *other;
	uint8_t key[16], key2[16], msg[MAXMSG], sig[16], sig2[16];
	struct iovec iov[4];
	size_t c, l, n, bit;
	int bad;

	fill(key, sizeof(key), 1);
	memcpy(key2, key, sizeof(key2));
	key2[15] ^= 1;
	for (c = 0; c < nitems(combos); c++) {
		s = smb2_signer_new(combos[c].dialect, combos[c].alg, key, 16);
		other = smb2_signer_new(combos[c].dialect, combos[c].alg,
		    key2, 16);
		CHECK(s != NULL && other != NULL);
		if (s == NULL || other == NULL)
			continue;
		for (l = 0; l < nitems(lens); l++) {
			n = lens[l];
			make_msg(msg, n, 8, l & 1, (uint32_t)(c * 100 + l));
			CHECK(smb2_sign(s, msg, n) == 0);
			CHECK(smb2_verify(s, msg, n) == 0);
			CHECK(smb2_verify(other, msg, n) == -1);
			/* Any flipped bit, signature included, fails. */
			bad = 0;
			for (bit = 0; bit < n * 8; bit += (n > 200 ? 97 : 1)) {
				msg[bit / 8] ^= 1 << (bit % 8);
				if (smb2_verify(s, msg, n) != -1)
					bad++;
				msg[bit / 8] ^= 1 << (bit % 8);
			}
			CHECK(bad == 0);
			/* Truncation fails. */
			if (n > 64)
				CHECK(smb2_verify(s, msg, n - 1) == -1);
			/* The gathered form agrees, signature field ignored. */
			memcpy(sig, msg + 48, 16);
			memset(msg + 48, 0x33, 16);
			iov[0].iov_base = msg;
			iov[0].iov_len = 64;
			iov[1].iov_base = msg + 64;
			iov[1].iov_len = (n - 64) / 2;
			iov[2].iov_base = NULL;
			iov[2].iov_len = 0;
			iov[3].iov_base = msg + 64 + (n - 64) / 2;
			iov[3].iov_len = n - 64 - (n - 64) / 2;
			CHECK(smb2_sign_iov(s, iov, 4, sig2) == 0);
			CHECK_MEM(sig2, sig, 16);
			memcpy(msg + 48, sig, 16);
			/* Signing twice gives the same (context re-init). */
			CHECK(smb2_sign(s, msg, n) == 0);
			CHECK_MEM(msg + 48, sig, 16);
		}
		/* A header split across iov[0] is refused. */
		iov[0].iov_len = 63;
		iov[1].iov_base = msg + 63;
		iov[1].iov_len = 10;
		CHECK(smb2_sign_iov(s, iov, 2, sig) == -1);
		CHECK(smb2_verify(s, msg, 63) == -1);
		CHECK(smb2_sign(s, msg, 10) == -1);
		smb2_signer_free(s);
		smb2_signer_free(other);
	}

	/* Combinations the dialects do not allow, and bad keys. */
	CHECK(smb2_signer_new(SMB2_DIALECT_210, SMB2_SIGN_AES_CMAC, key,
	    16) == NULL);
	CHECK(smb2_signer_new(SMB2_DIALECT_302, SMB2_SIGN_AES_GMAC, key,
	    16) == NULL);
	CHECK(smb2_signer_new(SMB2_DIALECT_300, SMB2_SIGN_HMAC_SHA256, key,
	    16) == NULL);
	CHECK(smb2_signer_new(SMB2_DIALECT_311, (enum smb2_signalg)3, key,
	    16) == NULL);
	CHECK(smb2_signer_new(0x0400, SMB2_SIGN_AES_CMAC, key, 16) == NULL);
	CHECK(smb2_signer_new(SMB2_DIALECT_311, SMB2_SIGN_AES_CMAC, key,
	    15) == NULL);
	CHECK(smb2_signer_new(SMB2_DIALECT_311, SMB2_SIGN_AES_GMAC, NULL,
	    16) == NULL);
	CHECK(smb2_sign(NULL, msg, 100) == -1);
	smb2_signer_free(NULL);
}

/* ---- Encryption ------------------------------------------------------- */

struct encvec {
	int		 request;	/* client to server */
	const char	*nonce;		/* as given by the blog */
	const char	*transformed;
	const char	*plain;
};

struct encsession {
	uint16_t	 dialect;
	enum smb2_cipher cipher;
	const char	*session_key;
	const char	*preauth;
	uint64_t	 session_id;
	int		 nonce_reserved_zero;	/* encryption reproducible */
	struct encvec	 msgs[4];
};

static const struct encsession encsessions[] = {
	/* [ENC311] A.1 */
	{ SMB2_DIALECT_311, SMB2_CIPHER_AES128_GCM,
	  "419FDDF34C1E001909D362AE7FB6AF79",
	  "B23F3CBFD69487D9832B79B1594A367CDD950909B774C3A4C412B4FCEA9EDDDB"
	  "A7DB256BA2EA30E977F11F9B113247578E0E915C6D2A513B8F2FCA5707DC8770",
	  0x100000000025ULL, 1, {
	{ 1, "C7D6822D269CAF48904C664C",
	  "FD534D42BD73D97D2BC9001BCAFAC0FDFF5FEEBCC7D6822D269CAF48904C664C"
	  "0000000087000000"
	  "0000010025000000001000006ECDD2A7AFC7B47763057A041B8FD4DAFFE990B7"
	  "0C9E09D36C084E02"
	  "D14EF247F8BDE38ACF6256F8B1D3B56F77FBDEB312FEA5E92CBCC1ED8FB2EBBF"
	  "AA75E49A4A394BB4"
	  "4576545567C24D4C014D47C9FBDFDAFD2C4F9B72F8D256452620A299F48E29E5"
	  "3D6B61D1C13A19E9"
	  "1AF013F00D17E3ABC2FC3D36C8C1B6B93973253852DBD442E46EE8",
	  "FE534D4240000100000000000900010008000000000000000500000000000000"
	  "FFFE000001000000"
	  "2500000000100000000000000000000000000000000000003100700017000000"
	  "0000000000000000"
	  "0600000004000000010000000400000000000000000000007000000000000000"
	  "536D623320656E63" "72797074696F6E2074657374696E67" },
	{ 0, "E06831DD2E8EB7B400000000",
	  "FD534D42ACBE1CB7ED343ADF1725EF144D90D4B0E06831DD2E8EB7B400000000"
	  "0000000050000000"
	  "00000100250000000010000026BBBF949983A6C1C796559D0F2C510CB651D1F7"
	  "B6AC8DED32A2A0B8"
	  "F2D793A815C6F6B848D69767A215841A42D400AE6DDB5F0B44173A014973321F"
	  "DD7950DA6179159B" "82E03C9E18A050FF0EA1C967",
	  "FE534D4240000100000000000900010001000000000000000500000000000000"
	  "FFFE000001000000"
	  "2500000000100000000000000000000000000000000000001100000017000000"
	  "0000000000000000" },
	{ 1, "D7AA8C6D36859243B715E0A6",
	  "FD534D426DAC0B6FD85A3ED42BB917DA38FE0386D7AA8C6D36859243B715E0A6"
	  "0000000071000000"
	  "00000100250000000010000088A47BF09CA3C3141CDD7306BE9D9475AB24FCCB"
	  "833D77461C041F8F"
	  "B983D0C188F0729272B31D9D3D0DC6B687C069EEE0CC8EACA2C536D019ACC9E1"
	  "85D1EB630E0FCB79"
	  "3EEECEB06D82A1D77706E700DBEBFB4FEB54D7AD2D97E7288804F90757FE4D08"
	  "D6A84A3FF433E745" "1E768E4699",
	  "FE534D4240000100000000000800010008000000000000000600000000000000"
	  "FFFE000001000000"
	  "2500000000100000000000000000000000000000000000003100000017000000"
	  "0000000000000000"
	  "0600000004000000010000000400000000000000000000000000000000000000"
	  "00" },
	{ 0, "E16831DD2E8EB7B400000000",
	  "FD534D427F714B3B9D8FA1198584E71C2BAA1CB6E16831DD2E8EB7B400000000"
	  "0000000067000000"
	  "000001002500000000100000FECEDF4D03BB11A6CC5D8A53BE33D6D870198634"
	  "2B4197D306E16F9C"
	  "BB218E92F7F8281F51CE68BB85A20D87DE90EBBF80538066D1C37513C0A58D70"
	  "936D537B624F5500"
	  "202A612B6CD30D448A82791A0B2E049ED512AFAEFB06E98AB3D6F931D7D50DB2"
	  "DBD36A",
	  "FE534D4240000100000000000800010001000000000000000600000000000000"
	  "FFFE000001000000"
	  "2500000000100000000000000000000000000000000000001100500017000000"
	  "0000000000000000" "536D623320656E6372797074696F6E2074657374696E67" },
	} },
	/* [ENC311] A.2 */
	{ SMB2_DIALECT_311, SMB2_CIPHER_AES128_CCM,
	  "07B7F69C1E2581662DF6987E88F9E891",
	  "DECF98A420718718F22090D3580FCC5E484BD310FA1268210C6E86335A8891E7"
	  "67F5BCD99FA5A7859D665AD07A73EA94E1BCDB7CFA69A6962A28A244138340B1",
	  0x100000000021ULL, 1, {
	{ 1, "9F6F1EAAD7E9F24AACD38F",
	  "FD534D42E89551D666DAB8993488F5A97103116C9F6F1EAAD7E9F24AACD38F00"
	  "0000000087000000"
	  "00000100210000000010000056A74778199A9D2B6E9C3A376FD88D27680694FE"
	  "D253A313BEB07381"
	  "AE8689F973ACDB8D716E4477803BCE53A92E1B81FA3E965AD9AF2C89C08CE66A"
	  "344664453B8FC881"
	  "18EDC9814CF58E92AA465E6EFB09958A9FDAD96FBD55B36A710C30D5E7C64AD7"
	  "B9449F9F17EDD024"
	  "FE8BA79154F340A82740D1D5180C69B0A2DE6A4BA893BD55D3210E",
	  "FE534D4240000100000000000900010008000000000000000500000000000000"
	  "FFFE000001000000"
	  "2100000000100000000000000000000000000000000000003100700017000000"
	  "0000000000000000"
	  "0500000004000000010000000400000000000000000000007000000000000000"
	  "536D623320656E63" "72797074696F6E2074657374696E67" },
	{ 0, "D96831DD2E8EB7B4000000",
	  "FD534D42DD33EC41A927DD51476FE887C2D3C136D96831DD2E8EB7B400000000"
	  "0000000050000000"
	  "000001002100000000100000F783157E0F6F1C055D746753CA16D20C21088E2A"
	  "67564E056C2F68A7"
	  "F14F226C3BD809B7A2D52E5FE4ECF49821BC6001733430CF174E2764B3CCB213"
	  "AAD8BB9FBAF6C15E" "13D9120965390E004A96A3F7",
	  "FE534D4240000100000000000900010001000000000000000500000000000000"
	  "FFFE000001000000"
	  "2100000000100000000000000000000000000000000000001100000017000000"
	  "0000000000000000" },
	{ 1, "A0F92E964EDC3049B86E19",
	  "FD534D4235BF9600C841F0CDA9BD1BC3727B7E36A0F92E964EDC3049B86E1900"
	  "0000000071000000"
	  "000001002100000000100000C4CCD3EB483A0638E69C99E391E7F64BCC10D6BE"
	  "E46FEEA258C4BCAF"
	  "792CB5A6E69283924081806DAB64827E9D14A5345D5221AB6DAFCB0E89FC2606"
	  "B63D92163F4F6C93"
	  "D1213D86ABF123B93EAD3AEF9A3471EFD68A423A00A6E0064D9AE3C842EFFFAD"
	  "236A3BF25D37F4CD" "054C97DE18",
	  "FE534D4240000100000000000800010008000000000000000600000000000000"
	  "FFFE000001000000"
	  "2100000000100000000000000000000000000000000000003100000017000000"
	  "0000000000000000"
	  "0500000004000000010000000400000000000000000000000000000000000000"
	  "00" },
	{ 0, "DA6831DD2E8EB7B4000000",
	  "FD534D42E241A13C7E1EE42ECF1FD69F3B8668C6DA6831DD2E8EB7B400000000"
	  "0000000067000000"
	  "00000100210000000010000015D67234FC8358D7BA1BF037ABC8EFD41A0A8F9B"
	  "B04B16DEB1E85606"
	  "BD8C2770823FE6239A286CB3E3D5762ABBD53FD8DE11ED491FE905E146A8FFCE"
	  "09414AB741103D63"
	  "7E28B19C6BA759B399DCC21FAE24CF2A455A13B215FC2857ABB513927F9F271D"
	  "1C208B",
	  "FE534D4240000100000000000800010001000000000000000600000000000000"
	  "FFFE000001000000"
	  "2100000000100000000000000000000000000000000000001100500017000000"
	  "0000000000000000" "536D623320656E6372797074696F6E2074657374696E67" },
	} },
	/*
	 * [ENC30]: Windows filled the Nonce field's reserved bytes, which
	 * are authenticated, so decryption checks them but our encryption
	 * (which zeroes them) cannot reproduce these messages.
	 */
	{ SMB2_DIALECT_300, SMB2_CIPHER_AES128_CCM,
	  "B4546771B515F766A86735532DD6C4F0", NULL,
	  0x8e40014000011ULL, 0, {
	{ 1, "66E69A111892584FB5ED52",
	  "FD534D4281A286535415445DAE393921E44FA42E66E69A111892584FB5ED524A"
	  "744DA3EE87000000000001001100001400E4080025C8FEE16605A437832D1CD5"
	  "2DA9F4645333482A175FE5384563F45FCDAFAEF38BC62BA4D5C62897996625A4"
	  "4C29BE5658DE2E6117585779E7B59FFD971278D08580D7FA899E410E910EABF5"
	  "AA1DB43050B33B49182637759AC15D84BFCDF5B6B238993C0F4CF4D6012023F6"
	  "C627297075D84B7803912D0A9639634453595EF3E33FFE4E7AC2AB",
	  "FE534D4240000100000000000900400008000000000000000400000000000000"
	  "FFFE0000010000001100001400E4080000000000000000000000000000000000"
	  "3100700017000000000000000000000015010000390000020100000039020000"
	  "00000000000000007000000000000000536D623320656E6372797074696F6E20"
	  "74657374696E67" },
	{ 0, "8600000000000000110000",
	  "FD534D42A6015530A18F6D9AFFE22AFAE8E66484860000000000000011000014"
	  "00E4080050000000000001001100001400E40800DBF46435C5F14169293CE079"
	  "E344479BF670227E49873F458672C3098DAC467DD5809F369D67409166515787"
	  "1483E01F7BECD02064EAC3E235F913668BBC2F097980D4B378F1993EFF6E60D1"
	  "77309E5B",
	  "FE534D4240000100000000000900210009000000000000000400000000000000"
	  "FFFE0000010000001100001400E4080000000000000000000000000000000000"
	  "11000000170000000000000000000000" },
	{ 1, "A5123A25F983E245983F41",
	  "FD534D42E93601498B76D6F7A72D5EF9B6C79FAFA5123A25F983E245983F413B"
	  "8B429AF271000000000001001100001400E408009A464F709AA663F8C2FC3907"
	  "D63CBF6F98B1E3DD649ED366009FD0B40A365224718E5440E053F6E01AE462FD"
	  "B721BF91C3A6E52E14F9EFF005F445761289FF1272908B52754C8FCB949F228A"
	  "C104A66204289A205BCBC47509D04AF9A907002B96863358B3B7CBA5E3779300"
	  "74FCDF3550",
	  "FE534D4240000100000000000800400008000000000000000500000000000000"
	  "FFFE0000010000001100001400E4080000000000000000000000000000000000"
	  "3100000017000000000000000000000015010000390000020100000039020000"
	  "0000000000000000000000000000000000" },
	{ 0, "8700000000000000110000",
	  "FD534D42ABD518B68C2F04D7879F482B689EB83F870000000000000011000014"
	  "00E4080067000000000001001100001400E40800493D6FE2BDBEB435CF5F5469"
	  "70C7BB57BF20E713C75A3D045507E0D68E5C0346659D6FFB8AC1504A786CA2BB"
	  "89C9E7FE4F313E910A04180D2D0EA7DF636329E5A3285984500EF86FE9D55DA4"
	  "FAB9531CFDD4C551D47F3C73124BB4590A45052B694048B991CCF5",
	  "FE534D4240000100000000000800210009000000000000000500000000000000"
	  "FFFE0000010000001100001400E4080000000000000000000000000000000000"
	  "11005000170000000000000000000000536D623320656E6372797074696F6E20"
	  "74657374696E67" },
	} },
};

static void
test_encrypt_vectors(void)
{
	const struct encsession *es;
	const struct encvec *ev;
	struct smb2_cryptor *in, *out, *c;
	struct smb2_keys k;
	uint8_t sk[16], pre[64], msg[MAXMSG], plain[MAXMSG], got[MAXMSG];
	uint8_t hdr[SMB2_TRANSFORM_HDR_LEN], nonce[16];
	struct iovec iov[2];
	size_t i, j, mlen, plen, glen;
	uint64_t sid;

	for (i = 0; i < nitems(encsessions); i++) {
		es = &encsessions[i];
		hex(es->session_key, sk, sizeof(sk));
		if (es->preauth != NULL)
			hex(es->preauth, pre, sizeof(pre));
		CHECK(smb2_derive_keys(es->dialect, es->cipher, sk, 16,
		    es->preauth != NULL ? pre : NULL, &k) == 0);
		/* The server decrypts requests, encrypts responses. */
		in = smb2_cryptor_new(es->cipher, k.decrypt, k.cipher_key_len);
		out = smb2_cryptor_new(es->cipher, k.encrypt,
		    k.cipher_key_len);
		CHECK(in != NULL && out != NULL);
		if (in == NULL || out == NULL)
			continue;
		for (j = 0; j < nitems(es->msgs); j++) {
			ev = &es->msgs[j];
			c = ev->request ? in : out;
			mlen = hex(ev->transformed, msg, sizeof(msg));
			plen = hex(ev->plain, plain, sizeof(plain));
			CHECK(mlen == plen + SMB2_TRANSFORM_HDR_LEN);
			sid = 0;
			glen = 0;
			CHECK(smb2_decrypt(c, msg, mlen, got, &glen,
			    &sid) == 0);
			CHECK(glen == plen && sid == es->session_id);
			CHECK_MEM(got, plain, plen);
			/* The other direction's key fails. */
			CHECK(smb2_decrypt(ev->request ? out : in, msg, mlen,
			    got, &glen, &sid) == -1);
			if (!es->nonce_reserved_zero)
				continue;
			/* Encrypting the plaintext gives the same message. */
			hex(ev->nonce, nonce, sizeof(nonce));
			iov[0].iov_base = plain;
			iov[0].iov_len = 64;
			iov[1].iov_base = plain + 64;
			iov[1].iov_len = plen - 64;
			CHECK(smb2_encrypt_with_nonce(c, es->session_id, nonce,
			    iov, 2, hdr, got) == 0);
			CHECK_MEM(hdr, msg, SMB2_TRANSFORM_HDR_LEN);
			CHECK_MEM(got, msg + SMB2_TRANSFORM_HDR_LEN, plen);
		}
		smb2_cryptor_free(in);
		smb2_cryptor_free(out);
	}
}

/* [PYCA] AES-256-GCM and AES-256-CCM with a fixed nonce a0 a1 a2 ... */
static void
test_encrypt_aes256(void)
{
	static const struct {
		enum smb2_cipher cipher;
		const char	*msg;
	} v[] = {
		{ SMB2_CIPHER_AES256_GCM,
		  "fd534d42da268e1a1b2e3748d7f9d3f4df9d3540a0a1a2a3a4a5a6a7a8a9"
		  "aaab00000000670000000000010025000000001000008bab6c9d99480a29"
		  "69667322822c1001c71ff069c1122e6285c007648c91ee57f1b2af74434e"
		  "627cc9faa9e4e91bf5da63d5ba68d767033f1ae7e6fd9a1f3ac3d1c36e88"
		  "7ef382cc67276b6f7cec0882bed2233689f7985eb3672769e0a18a7c63a2"
		  "9cfb98c79c" },
		{ SMB2_CIPHER_AES256_CCM,
		  "fd534d4221c682dd66b982bc1c55f53e9285ec6aa0a1a2a3a4a5a6a7a8a9"
		  "aa000000000067000000000001002500000000100000b631483d828e5eaa"
		  "e38c15d471e3ed8a3d4e20284bf14e9f3c5ae594e5b371d7400018446455"
		  "ded0ddc857c4efb07a9098761d67d66dbad3f4712a5b0233cccb4f2af7a0"
		  "7eafbbb4b069344f12c92b838d4a519dd56ca806954d271eb6bce1747012"
		  "ce4ae41e3f" },
	};
	struct smb2_cryptor *c;
	struct smb2_keys k;
	uint8_t full[32], pre[64], plain[MAXMSG], msg[MAXMSG], got[MAXMSG];
	uint8_t hdr[SMB2_TRANSFORM_HDR_LEN], nonce[12];
	struct iovec iov;
	size_t i, plen, mlen, glen;
	uint64_t sid;

	hex("419FDDF34C1E001909D362AE7FB6AF79"
	    "00112233445566778899AABBCCDDEEFF", full, 32);
	hex(gcm_preauth, pre, 64);
	plen = hex(encsessions[0].msgs[3].plain, plain, sizeof(plain));
	for (i = 0; i < sizeof(nonce); i++)
		nonce[i] = 0xa0 + i;
	for (i = 0; i < nitems(v); i++) {
		CHECK(smb2_derive_keys(SMB2_DIALECT_311, v[i].cipher, full, 32,
		    pre, &k) == 0);
		c = smb2_cryptor_new(v[i].cipher, k.encrypt, 32);
		CHECK(c != NULL);
		if (c == NULL)
			continue;
		mlen = hex(v[i].msg, msg, sizeof(msg));
		iov.iov_base = plain;
		iov.iov_len = plen;
		CHECK(smb2_encrypt_with_nonce(c, 0x100000000025ULL, nonce,
		    &iov, 1, hdr, got) == 0);
		CHECK_MEM(hdr, msg, SMB2_TRANSFORM_HDR_LEN);
		CHECK_MEM(got, msg + SMB2_TRANSFORM_HDR_LEN, plen);
		CHECK(smb2_decrypt(c, msg, mlen, got, &glen, &sid) == 0);
		CHECK(glen == plen && sid == 0x100000000025ULL);
		CHECK_MEM(got, plain, plen);
		smb2_cryptor_free(c);
	}
}

static int
all_zero(const uint8_t *p, size_t n)
{
	while (n-- > 0)
		if (*p++ != 0)
			return 0;
	return 1;
}

static void
test_encrypt_roundtrip(void)
{
	static const enum smb2_cipher ciphers[] = {
		SMB2_CIPHER_AES128_CCM, SMB2_CIPHER_AES128_GCM,
		SMB2_CIPHER_AES256_CCM, SMB2_CIPHER_AES256_GCM,
	};
	static const size_t lens[] = { 1, 15, 16, 17, 64, 100, 4000 };
	struct smb2_cryptor *c, *other;
	struct smb2_transform_hdr th;
	uint8_t key[32], plain[MAXMSG], msg[MAXMSG + 64], got[MAXMSG + 64];
	struct iovec iov[3];
	size_t ci, l, n, keylen, glen, pos;
	uint64_t sid;
	int bad;

	fill(key, sizeof(key), 99);
	for (ci = 0; ci < nitems(ciphers); ci++) {
		keylen = ciphers[ci] >= SMB2_CIPHER_AES256_CCM ? 32 : 16;
		c = smb2_cryptor_new(ciphers[ci], key, keylen);
		key[0] ^= 1;
		other = smb2_cryptor_new(ciphers[ci], key, keylen);
		key[0] ^= 1;
		CHECK(c != NULL && other != NULL);
		if (c == NULL || other == NULL)
			continue;
		for (l = 0; l < nitems(lens); l++) {
			n = lens[l];
			fill(plain, n, (uint32_t)(ci * 10 + l));
			iov[0].iov_base = plain;
			iov[0].iov_len = n / 3;
			iov[1].iov_base = plain + n / 3;
			iov[1].iov_len = n / 3;
			iov[2].iov_base = plain + 2 * (n / 3);
			iov[2].iov_len = n - 2 * (n / 3);
			CHECK(smb2_encrypt(c, 0x1122334455667788ULL, iov, 3,
			    msg, msg + SMB2_TRANSFORM_HDR_LEN) == 0);
			CHECK(smb2_transform_parse(msg,
			    n + SMB2_TRANSFORM_HDR_LEN, &th) == 0);
			CHECK(th.original_size == n && th.flags == 1 &&
			    th.reserved == 0 &&
			    th.session_id == 0x1122334455667788ULL);
			CHECK(all_zero(th.nonce + (ciphers[ci] & 1 ? 11 : 12),
			    ciphers[ci] & 1 ? 5 : 4));
			if (n >= 16)
				CHECK(memcmp(msg + SMB2_TRANSFORM_HDR_LEN,
				    plain, 16) != 0);
			CHECK(smb2_decrypt(c, msg, n + SMB2_TRANSFORM_HDR_LEN,
			    got, &glen, &sid) == 0);
			CHECK(glen == n && sid == 0x1122334455667788ULL);
			CHECK_MEM(got, plain, n);
			/* Another key fails and leaves no plaintext. */
			memset(got, 0x77, n);
			CHECK(smb2_decrypt(other, msg,
			    n + SMB2_TRANSFORM_HDR_LEN, got, &glen,
			    &sid) == -1);
			CHECK(all_zero(got, n));
			/* Any byte changed after the ProtocolId fails. */
			bad = 0;
			for (pos = 4; pos < n + SMB2_TRANSFORM_HDR_LEN;
			    pos++) {
				msg[pos] ^= 0x40;
				if (smb2_decrypt(c, msg,
				    n + SMB2_TRANSFORM_HDR_LEN, got, &glen,
				    &sid) != -1)
					bad++;
				msg[pos] ^= 0x40;
			}
			CHECK(bad == 0);
			/* And the context still works after failures. */
			CHECK(smb2_decrypt(c, msg, n + SMB2_TRANSFORM_HDR_LEN,
			    got, &glen, &sid) == 0);
			CHECK_MEM(got, plain, n);
			/* Trailing bytes after the ciphertext are ignored. */
			msg[n + SMB2_TRANSFORM_HDR_LEN] = 0xaa;
			CHECK(smb2_decrypt(c, msg,
			    n + SMB2_TRANSFORM_HDR_LEN + 1, got, &glen,
			    &sid) == 0 && glen == n);
			/* Truncated: refused. */
			CHECK(smb2_decrypt(c, msg,
			    n + SMB2_TRANSFORM_HDR_LEN - 1, got, &glen,
			    &sid) == -1);
		}
		/* Nothing to encrypt, or nothing to encrypt with. */
		CHECK(smb2_encrypt(c, 1, iov, 0, msg, got) == -1);
		iov[0].iov_len = 0;
		CHECK(smb2_encrypt(c, 1, iov, 1, msg, got) == -1);
		CHECK(smb2_encrypt(NULL, 1, iov, 1, msg, got) == -1);
		smb2_cryptor_free(c);
		smb2_cryptor_free(other);
	}

	/* Bad ciphers and key lengths. */
	CHECK(smb2_cryptor_new(SMB2_CIPHER_NONE, key, 16) == NULL);
	CHECK(smb2_cryptor_new((enum smb2_cipher)5, key, 16) == NULL);
	CHECK(smb2_cryptor_new(SMB2_CIPHER_AES128_GCM, key, 32) == NULL);
	CHECK(smb2_cryptor_new(SMB2_CIPHER_AES256_GCM, key, 16) == NULL);
	CHECK(smb2_cryptor_new(SMB2_CIPHER_AES128_CCM, NULL, 16) == NULL);
	smb2_cryptor_free(NULL);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void
test_transform_parse(void)
{
	struct smb2_transform_hdr th;
	struct smb2_cryptor *c;
	uint8_t msg[200], key[16], out[200];
	size_t len, glen;
	uint64_t sid;

	memset(msg, 0, sizeof(msg));
	memcpy(msg, "\xfdSMB", 4);
	memset(msg + 4, 0x11, 16);
	memset(msg + 20, 0x22, 16);
	put32(msg + 36, 100);
	msg[42] = 1;
	msg[44] = 0x25;
	msg[49] = 0x10;
	len = SMB2_TRANSFORM_HDR_LEN + 100;
	CHECK(smb2_transform_parse(msg, len, &th) == 0);
	CHECK(th.original_size == 100 && th.flags == 1 &&
	    th.session_id == 0x100000000025ULL);
	CHECK(th.signature[0] == 0x11 && th.nonce[15] == 0x22);
	/* Longer than needed is fine, shorter is not. */
	CHECK(smb2_transform_parse(msg, len + 10, &th) == 0);
	CHECK(smb2_transform_parse(msg, len - 1, &th) == -1);
	CHECK(smb2_transform_parse(msg, 52, &th) == -1);
	CHECK(smb2_transform_parse(msg, 51, &th) == -1);
	CHECK(smb2_transform_parse(msg, 0, &th) == -1);
	CHECK(smb2_transform_parse(NULL, 0, &th) == -1);
	/* OriginalMessageSize zero or huge. */
	put32(msg + 36, 0);
	CHECK(smb2_transform_parse(msg, len, &th) == -1);
	put32(msg + 36, 0xffffffff);
	CHECK(smb2_transform_parse(msg, len, &th) == -1);
	put32(msg + 36, 100);
	/* Flags other than 0x0001. */
	msg[42] = 0;
	CHECK(smb2_transform_parse(msg, len, &th) == -1);
	msg[42] = 3;
	CHECK(smb2_transform_parse(msg, len, &th) == -1);
	msg[42] = 1;
	msg[43] = 1;
	CHECK(smb2_transform_parse(msg, len, &th) == -1);
	msg[43] = 0;
	/* A plain SMB2 or SMB1 header. */
	msg[0] = 0xfe;
	CHECK(smb2_transform_parse(msg, len, &th) == -1);
	msg[0] = 0xff;
	CHECK(smb2_transform_parse(msg, len, &th) == -1);
	msg[0] = 0xfd;
	msg[3] = 'b';
	CHECK(smb2_transform_parse(msg, len, &th) == -1);
	msg[3] = 'B';
	CHECK(smb2_transform_parse(msg, len, &th) == 0);
	/* A well-formed header with a forged tag does not decrypt. */
	fill(key, sizeof(key), 5);
	c = smb2_cryptor_new(SMB2_CIPHER_AES128_GCM, key, 16);
	memset(out, 0x55, sizeof(out));
	CHECK(smb2_decrypt(c, msg, len, out, &glen, &sid) == -1);
	CHECK(all_zero(out, 100));
	smb2_cryptor_free(c);
}

static int
cmp_nonce(const void *a, const void *b)
{
	return memcmp(a, b, 12);
}

static void
test_nonce_unique(void)
{
	static const enum smb2_cipher ciphers[] = {
		SMB2_CIPHER_AES128_CCM, SMB2_CIPHER_AES128_GCM,
	};
	enum { N = 100000 };
	struct smb2_cryptor *c, *c2;
	uint8_t key[16], plain[8], hdr[SMB2_TRANSFORM_HDR_LEN], out[8];
	uint8_t (*nonces)[12];
	struct iovec iov;
	size_t ci, i, dups, nl;
	uint64_t a, b;
	int steps;

	nonces = calloc(2 * N, sizeof(*nonces));
	CHECK(nonces != NULL);
	if (nonces == NULL)
		return;
	fill(key, sizeof(key), 3);
	memset(plain, 0xfe, sizeof(plain));
	iov.iov_base = plain;
	iov.iov_len = sizeof(plain);
	for (ci = 0; ci < nitems(ciphers); ci++) {
		nl = ciphers[ci] == SMB2_CIPHER_AES128_CCM ? 11 : 12;
		c = smb2_cryptor_new(ciphers[ci], key, 16);
		c2 = smb2_cryptor_new(ciphers[ci], key, 16);
		CHECK(c != NULL && c2 != NULL);
		if (c == NULL || c2 == NULL)
			break;
		memset(nonces, 0, 2 * N * sizeof(*nonces));
		steps = 0;
		for (i = 0; i < N; i++) {
			CHECK(smb2_encrypt(c, 1, &iov, 1, hdr, out) == 0);
			memcpy(nonces[i], hdr + 20, nl);
			/* The counter part goes up by one per message. */
			if (i > 0) {
				memcpy(&a, nonces[i - 1] + nl - 8, 8);
				memcpy(&b, nonces[i] + nl - 8, 8);
				a = le64toh(a);
				b = le64toh(b);
				if (b != a + 1 || memcmp(nonces[i],
				    nonces[i - 1], nl - 8) != 0)
					steps++;
			}
			/* A second cryptor with the same key. */
			CHECK(smb2_encrypt(c2, 1, &iov, 1, hdr, out) == 0);
			memcpy(nonces[N + i], hdr + 20, nl);
		}
		CHECK(steps == 0);
		qsort(nonces, 2 * N, sizeof(*nonces), cmp_nonce);
		for (i = 1, dups = 0; i < 2 * N; i++)
			if (memcmp(nonces[i], nonces[i - 1], 12) == 0)
				dups++;
		CHECK(dups == 0);
		smb2_cryptor_free(c);
		smb2_cryptor_free(c2);
	}
	free(nonces);
}

int
main(void)
{
	log_init(1, 0);
	log_set_forward(quiet);
	smb2_crypto_init();
	smb2_crypto_init();	/* idempotent */

	test_kdf();
	test_derive();
	test_preauth();
	test_sign_vectors();
	test_sign_roundtrip();
	test_encrypt_vectors();
	test_encrypt_aes256();
	test_encrypt_roundtrip();
	test_transform_parse();
	test_nonce_unique();
	return unit_done();
}
