/*
 * Bounds-checked buffers: the only way usmbd reads untrusted bytes and
 * builds wire messages.
 *
 * A reader (struct rbuf) is a cursor over borrowed bytes.  A writer
 * (struct wbuf) appends to memory it owns (growing up to a hard maximum)
 * or to a fixed caller-supplied area.  Both carry a sticky error flag: once
 * an access fails, every later access fails too, so a parser may issue a
 * run of gets and check the flag once.  Every function returns 0 on
 * success and -1 on failure; a failed get leaves its output zeroed.
 */
#ifndef USMBD_BUF_H
#define USMBD_BUF_H

#include <stddef.h>
#include <stdint.h>

struct rbuf {
	const uint8_t	*data;
	size_t		 len;
	size_t		 off;
	int		 err;
};

struct wbuf {
	uint8_t		*data;
	size_t		 len;
	size_t		 cap;
	size_t		 max;	/* hard limit on len */
	int		 err;
	int		 fixed;	/* data is not ours to grow or free */
};

/* Readers. */
void	 rbuf_init(struct rbuf *, const void *, size_t);
size_t	 rbuf_left(const struct rbuf *);
size_t	 rbuf_offset(const struct rbuf *);
int	 rbuf_error(const struct rbuf *);
/* The unread bytes (borrowed); valid while the underlying data lives. */
const uint8_t *rbuf_cur(const struct rbuf *);

int	 rbuf_get_u8(struct rbuf *, uint8_t *);
int	 rbuf_get_u16le(struct rbuf *, uint16_t *);
int	 rbuf_get_u32le(struct rbuf *, uint32_t *);
int	 rbuf_get_u64le(struct rbuf *, uint64_t *);
int	 rbuf_get_u16be(struct rbuf *, uint16_t *);
int	 rbuf_get_u32be(struct rbuf *, uint32_t *);
int	 rbuf_get_u64be(struct rbuf *, uint64_t *);
int	 rbuf_get_bytes(struct rbuf *, void *, size_t);
/* Borrow n bytes in place and advance past them. */
int	 rbuf_get_ptr(struct rbuf *, const uint8_t **, size_t);
int	 rbuf_peek_u8(const struct rbuf *, uint8_t *);
/*
 * Read at an offset from the current position without moving it: -1
 * (and 0 in *v, the buffer unchanged) when the bytes are not there.
 */
int	 rbuf_peek_u16le(const struct rbuf *, size_t, uint16_t *);
int	 rbuf_peek_u32le(const struct rbuf *, size_t, uint32_t *);
int	 rbuf_skip(struct rbuf *, size_t);
/* Advance to the next multiple of align (a power of two) from the start. */
int	 rbuf_align(struct rbuf *, size_t);
/* Move the cursor to an absolute offset from the start of the buffer. */
int	 rbuf_seek(struct rbuf *, size_t);
/* Consume n bytes into an independent reader. */
int	 rbuf_take(struct rbuf *, size_t, struct rbuf *);
/*
 * An independent reader over [off, off + len) of the whole buffer, for the
 * offset/length pairs of wire formats.  Does not move the cursor.
 */
int	 rbuf_sub(const struct rbuf *, size_t, size_t, struct rbuf *);

/* Writers. */
void	 wbuf_init(struct wbuf *, size_t max);
void	 wbuf_init_fixed(struct wbuf *, void *, size_t);
/* Free (after wiping, since buffers may hold keys) and reset. */
void	 wbuf_free(struct wbuf *);
void	 wbuf_reset(struct wbuf *);
int	 wbuf_error(const struct wbuf *);
size_t	 wbuf_len(const struct wbuf *);
uint8_t	*wbuf_data(const struct wbuf *);

int	 wbuf_put_u8(struct wbuf *, uint8_t);
int	 wbuf_put_u16le(struct wbuf *, uint16_t);
int	 wbuf_put_u32le(struct wbuf *, uint32_t);
int	 wbuf_put_u64le(struct wbuf *, uint64_t);
int	 wbuf_put_u16be(struct wbuf *, uint16_t);
int	 wbuf_put_u32be(struct wbuf *, uint32_t);
int	 wbuf_put_u64be(struct wbuf *, uint64_t);
int	 wbuf_put_bytes(struct wbuf *, const void *, size_t);
int	 wbuf_put_zero(struct wbuf *, size_t);
/* Pad with zeros to a multiple of align (a power of two). */
int	 wbuf_align(struct wbuf *, size_t);
/*
 * Append n zero bytes and return their offset, to be filled in later with
 * the wbuf_set_* functions (lengths and offsets known only at the end).
 */
int	 wbuf_reserve(struct wbuf *, size_t, size_t *);
int	 wbuf_set_u8(struct wbuf *, size_t, uint8_t);
int	 wbuf_set_u16le(struct wbuf *, size_t, uint16_t);
int	 wbuf_set_u32le(struct wbuf *, size_t, uint32_t);
int	 wbuf_set_u64le(struct wbuf *, size_t, uint64_t);
int	 wbuf_set_u32be(struct wbuf *, size_t, uint32_t);
int	 wbuf_set_bytes(struct wbuf *, size_t, const void *, size_t);
/* Read back what was written at an offset: -1 when it is not there. */
int	 wbuf_peek_u32le(const struct wbuf *, size_t, uint32_t *);

#endif /* USMBD_BUF_H */
