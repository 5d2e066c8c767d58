/*
 * Unit tests of the Direct TCP / NetBIOS frame reassembler: whole and
 * byte-by-byte input, NBSS session requests and keepalives, oversize and
 * malformed headers, and reads from a real (socketpair) descriptor in
 * exact and read-ahead modes.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smb_frame.h"
#include "unit.h"

/* Append a frame of type t with n payload bytes of value v. */
static size_t
put_frame(uint8_t *out, uint8_t t, size_t n, uint8_t v)
{
	out[0] = t;
	out[1] = (uint8_t)(n >> 16);
	out[2] = (uint8_t)(n >> 8);
	out[3] = (uint8_t)n;
	memset(out + 4, v, n);
	return 4 + n;
}

static int
all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static void
test_whole(void)
{
	struct smb_frame_rx rx;
	uint8_t in[256], *frame;
	size_t n, used, len;
	const char *why;
	int r;

	smb_frame_rx_init(&rx, 1024);
	n = put_frame(in, 0, 100, 0xab);
	n += put_frame(in + n, 0, 3, 0xcd);
	r = smb_frame_rx_feed(&rx, in, n, &used, &frame, &len, &why);
	CHECK(r == SMB_FRAME_MSG);
	CHECK(used == 104);
	CHECK(len == 100 && all_bytes(frame, len, 0xab));
	r = smb_frame_rx_feed(&rx, in + used, n - used, &used, &frame, &len,
	    &why);
	CHECK(r == SMB_FRAME_MSG);
	CHECK(used == 7);
	CHECK(len == 3 && all_bytes(frame, len, 0xcd));
	r = smb_frame_rx_feed(&rx, in, 0, &used, &frame, &len, &why);
	CHECK(r == SMB_FRAME_NONE && used == 0);
	smb_frame_rx_free(&rx);
}

/* Byte by byte: a session request, a keepalive, two messages. */
static void
test_byte_by_byte(void)
{
	struct smb_frame_rx rx;
	uint8_t in[512], *frame;
	size_t n, i, used, len;
	const char *why;
	int r, seen[8], nseen = 0;
	size_t lens[8];

	n = put_frame(in, 0x81, 68, 0x20);
	n += put_frame(in + n, 0x85, 0, 0);
	n += put_frame(in + n, 0, 200, 0x11);
	n += put_frame(in + n, 0x85, 0, 0);
	n += put_frame(in + n, 0, 1, 0x22);

	smb_frame_rx_init(&rx, 1024);
	for (i = 0; i < n; i++) {
		r = smb_frame_rx_feed(&rx, in + i, 1, &used, &frame, &len,
		    &why);
		CHECK(used == 1);
		if (r == SMB_FRAME_NONE)
			continue;
		if (nseen < 8) {
			lens[nseen] = len;
			seen[nseen++] = r;
		}
		if (r == SMB_FRAME_MSG && len == 200)
			CHECK(all_bytes(frame, len, 0x11));
		if (r == SMB_FRAME_MSG && len == 1)
			CHECK(frame[0] == 0x22);
	}
	CHECK(nseen == 5);
	CHECK(seen[0] == SMB_FRAME_NBSS_REQUEST);
	CHECK(seen[1] == SMB_FRAME_KEEPALIVE);
	CHECK(seen[2] == SMB_FRAME_MSG && lens[2] == 200);
	CHECK(seen[3] == SMB_FRAME_KEEPALIVE);
	CHECK(seen[4] == SMB_FRAME_MSG && lens[4] == 1);
	smb_frame_rx_free(&rx);
}

/* The zero-copy interface: the header, then exactly the payload. */
static void
test_want_commit(void)
{
	struct smb_frame_rx rx;
	uint8_t *p, *frame;
	size_t n, len;
	const char *why;

	smb_frame_rx_init(&rx, 1 << 20);
	p = smb_frame_rx_want(&rx, &n);
	CHECK(p != NULL && n == 4);
	memcpy(p, "\x00\x01\x00", 3);
	CHECK(smb_frame_rx_commit(&rx, 3, &frame, &len, &why) ==
	    SMB_FRAME_NONE);
	p = smb_frame_rx_want(&rx, &n);
	CHECK(p != NULL && n == 1);
	*p = 0x10;
	CHECK(smb_frame_rx_commit(&rx, 1, &frame, &len, &why) ==
	    SMB_FRAME_NONE);
	p = smb_frame_rx_want(&rx, &n);
	CHECK(p != NULL && n == 0x10010);
	memset(p, 7, n);
	CHECK(smb_frame_rx_commit(&rx, n - 1, &frame, &len, &why) ==
	    SMB_FRAME_NONE);
	p = smb_frame_rx_want(&rx, &n);
	CHECK(p != NULL && n == 1);
	CHECK(smb_frame_rx_commit(&rx, 1, &frame, &len, &why) ==
	    SMB_FRAME_MSG);
	CHECK(len == 0x10010 && all_bytes(frame, len, 7));

	/* The caller may keep the buffer. */
	p = smb_frame_rx_steal(&rx, &n);
	CHECK(p == frame && n == 0x10010);
	free(p);
	p = smb_frame_rx_steal(&rx, &n);
	CHECK(p == NULL && n == 0);

	/* Committing more than was wanted is a bug the reassembler stops. */
	p = smb_frame_rx_want(&rx, &n);
	CHECK(p != NULL && n == 4);
	CHECK(smb_frame_rx_commit(&rx, 5, &frame, &len, &why) ==
	    SMB_FRAME_ERROR);
	CHECK(why != NULL);
	CHECK(smb_frame_rx_want(&rx, &n) == NULL);
	smb_frame_rx_free(&rx);
}

static void
expect_error(const uint8_t *in, size_t n, size_t max, int want)
{
	struct smb_frame_rx rx;
	uint8_t *frame;
	size_t used, len;
	const char *why = NULL;
	int r;

	smb_frame_rx_init(&rx, max);
	r = smb_frame_rx_feed(&rx, in, n, &used, &frame, &len, &why);
	CHECK(r == want);
	CHECK(why != NULL);
	/* Errors are sticky. */
	r = smb_frame_rx_feed(&rx, (const uint8_t *)"\0\0\0\1x", 5, &used,
	    &frame, &len, &why);
	CHECK(r == want);
	smb_frame_rx_free(&rx);
}

static void
test_errors(void)
{
	uint8_t in[1024];
	size_t n;

	/* One byte over the maximum; the maximum itself is fine. */
	expect_error((const uint8_t *)"\x00\x00\x04\x01", 4, 1024,
	    SMB_FRAME_TOOBIG);
	expect_error((const uint8_t *)"\x00\xff\xff\xff", 4, 1 << 20,
	    SMB_FRAME_TOOBIG);
	/* Bad NetBIOS types: responses, retarget, junk, an SMB1 header. */
	expect_error((const uint8_t *)"\x82\x00\x00\x00", 4, 1024,
	    SMB_FRAME_ERROR);
	expect_error((const uint8_t *)"\x83\x00\x00\x01", 4, 1024,
	    SMB_FRAME_ERROR);
	expect_error((const uint8_t *)"\x84\x00\x00\x06", 4, 1024,
	    SMB_FRAME_ERROR);
	expect_error((const uint8_t *)"\xffSMB", 4, 1024, SMB_FRAME_ERROR);
	expect_error((const uint8_t *)"GET ", 4, 1024, SMB_FRAME_ERROR);
	/* Empty message, keepalive with payload, oversized request. */
	expect_error((const uint8_t *)"\x00\x00\x00\x00", 4, 1024,
	    SMB_FRAME_ERROR);
	expect_error((const uint8_t *)"\x85\x00\x00\x01", 4, 1024,
	    SMB_FRAME_ERROR);
	expect_error((const uint8_t *)"\x81\x00\x02\x01", 4, 1024,
	    SMB_FRAME_ERROR);
	expect_error((const uint8_t *)"\x81\x00\x00\x00", 4, 1024,
	    SMB_FRAME_ERROR);
	/* A session request after SMB traffic. */
	n = put_frame(in, 0, 8, 1);
	n += put_frame(in + n, 0x81, 68, 0x20);
	{
		struct smb_frame_rx rx;
		uint8_t *frame;
		size_t used, len;
		const char *why;

		smb_frame_rx_init(&rx, 1024);
		CHECK(smb_frame_rx_feed(&rx, in, n, &used, &frame, &len,
		    &why) == SMB_FRAME_MSG);
		CHECK(smb_frame_rx_feed(&rx, in + used, n - used, &used,
		    &frame, &len, &why) == SMB_FRAME_ERROR);
		smb_frame_rx_free(&rx);
	}
}

static void
test_max_exact(void)
{
	struct smb_frame_rx rx;
	uint8_t *in, *frame;
	size_t n, used, len;
	const char *why;

	in = malloc(4 + 70000);
	n = put_frame(in, 0, 70000, 0x5a);
	smb_frame_rx_init(&rx, 70000);
	CHECK(smb_frame_rx_feed(&rx, in, n, &used, &frame, &len, &why) ==
	    SMB_FRAME_MSG);
	CHECK(len == 70000 && all_bytes(frame, len, 0x5a));
	/* Now a small one: the large buffer is given back (bounded). */
	n = put_frame(in, 0, 10, 0x01);
	CHECK(smb_frame_rx_feed(&rx, in, n, &used, &frame, &len, &why) ==
	    SMB_FRAME_MSG);
	CHECK(len == 10 && all_bytes(frame, len, 0x01));
	CHECK(rx.cap >= 10 && rx.cap <= 70000);
	smb_frame_rx_free(&rx);
	/* The 24-bit limit caps a larger configured maximum. */
	smb_frame_rx_init(&rx, (size_t)1 << 30);
	CHECK(rx.max == SMB_FRAME_MAX_LEN);
	smb_frame_rx_free(&rx);
	free(in);
}

/* Read n frames from fd, writing the data in pieces as we go. */
static void
test_socket(int exact)
{
	struct smb_frame_rx rx;
	uint8_t *in, *frame;
	size_t n, off = 0, len, big = 100000;
	const char *why;
	int sv[2], r, got = 0, sizes_ok = 1;
	ssize_t w;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0);
	CHECK(fcntl(sv[1], F_SETFL, O_NONBLOCK) == 0);
	in = malloc(4 * 6 + 68 + 3 * 100 + big);
	n = put_frame(in, 0x81, 68, 0x20);
	n += put_frame(in + n, 0, 100, 1);
	n += put_frame(in + n, 0, big, 2);
	n += put_frame(in + n, 0x85, 0, 0);
	n += put_frame(in + n, 0, 100, 3);
	n += put_frame(in + n, 0, 100, 4);

	smb_frame_rx_init(&rx, 1 << 20);
	for (;;) {
		if (off < n) {
			w = write(sv[1], in + off, n - off > 3000 ?
			    3000 : n - off);
			if (w > 0)
				off += (size_t)w;
			if (off == n)
				shutdown(sv[1], SHUT_WR);
		}
		r = smb_frame_rx_read(&rx, sv[0], exact, &frame, &len, &why);
		if (r == SMB_FRAME_NONE)
			continue;
		if (r == SMB_FRAME_EOF || r < 0)
			break;
		switch (got++) {
		case 0:
			sizes_ok &= r == SMB_FRAME_NBSS_REQUEST;
			break;
		case 1:
			sizes_ok &= r == SMB_FRAME_MSG && len == 100 &&
			    all_bytes(frame, len, 1);
			break;
		case 2:
			sizes_ok &= r == SMB_FRAME_MSG && len == big &&
			    all_bytes(frame, len, 2);
			break;
		case 3:
			sizes_ok &= r == SMB_FRAME_KEEPALIVE;
			break;
		case 4:
			sizes_ok &= r == SMB_FRAME_MSG && len == 100 &&
			    all_bytes(frame, len, 3);
			/* Exact reads never take bytes of the next frame. */
			if (exact)
				CHECK(smb_frame_rx_pending(&rx) == 0);
			break;
		case 5:
			sizes_ok &= r == SMB_FRAME_MSG && len == 100 &&
			    all_bytes(frame, len, 4);
			break;
		}
	}
	CHECK(r == SMB_FRAME_EOF);
	CHECK(got == 6);
	CHECK(sizes_ok);
	smb_frame_rx_free(&rx);
	free(in);
	close(sv[0]);
	close(sv[1]);

	/* End of file inside a frame is an error. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0);
	CHECK(write(sv[1], "\x00\x00\x00\x10" "abc", 7) == 7);
	shutdown(sv[1], SHUT_WR);
	smb_frame_rx_init(&rx, 1024);
	do
		r = smb_frame_rx_read(&rx, sv[0], exact, &frame, &len, &why);
	while (r == SMB_FRAME_NONE);
	CHECK(r == SMB_FRAME_ERROR);
	CHECK(why != NULL && strstr(why, "inside") != NULL);
	smb_frame_rx_free(&rx);
	close(sv[0]);
	close(sv[1]);

	/* A socket with nothing to read. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0);
	smb_frame_rx_init(&rx, 1024);
	CHECK(smb_frame_rx_read(&rx, sv[0], exact, &frame, &len, &why) ==
	    SMB_FRAME_NONE);
	smb_frame_rx_free(&rx);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	test_whole();
	test_byte_by_byte();
	test_want_commit();
	test_errors();
	test_max_exact();
	test_socket(1);
	test_socket(0);
	return unit_done();
}
