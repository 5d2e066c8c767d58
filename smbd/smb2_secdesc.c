/*
 * A security descriptor synthesized from the POSIX owner, group and mode
 * (MS-DTYP 2.4.6 self-relative form), until full NT ACLs land.  Owner and
 * group use Samba's Unix SID domains S-1-22-1-uid and S-1-22-2-gid, so
 * clients that talk to both servers see the same SIDs.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <string.h>

#include "buf.h"
#include "ntstatus.h"
#include "smb2_file.h"
#include "smb2_info.h"

#define OWNER_SECURITY_INFORMATION	0x00000001
#define GROUP_SECURITY_INFORMATION	0x00000002
#define DACL_SECURITY_INFORMATION	0x00000004

#define SE_DACL_PRESENT			0x0004
#define SE_SELF_RELATIVE		0x8000
#define ACCESS_ALLOWED_ACE_TYPE		0x00

#define FILE_GENERIC_READ		0x00120089
#define FILE_GENERIC_WRITE		0x00120116
#define FILE_GENERIC_EXECUTE		0x001200a0

static void
sd_put_sid(struct wbuf *w, uint8_t auth, const uint32_t *sub, int nsub)
{
	int i;

	wbuf_put_u8(w, 1);
	wbuf_put_u8(w, (uint8_t)nsub);
	wbuf_put_zero(w, 5);
	wbuf_put_u8(w, auth);
	for (i = 0; i < nsub; i++)
		wbuf_put_u32le(w, sub[i]);
}

static uint32_t
sd_mask(mode_t bits, int owner)
{
	uint32_t m = 0;

	if (bits & 4)
		m |= FILE_GENERIC_READ;
	if (bits & 2)
		m |= FILE_GENERIC_WRITE | DELETE | FILE_DELETE_CHILD;
	if (bits & 1)
		m |= FILE_GENERIC_EXECUTE;
	if (owner)
		m |= READ_CONTROL | WRITE_DAC | WRITE_OWNER |
		    FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE;
	return m;
}

static void
sd_put_ace(struct wbuf *w, uint32_t mask, uint8_t auth, const uint32_t *sub,
    int nsub)
{
	wbuf_put_u8(w, ACCESS_ALLOWED_ACE_TYPE);
	wbuf_put_u8(w, 0);
	wbuf_put_u16le(w, (uint16_t)(8 + 8 + 4 * nsub));
	wbuf_put_u32le(w, mask);
	sd_put_sid(w, auth, sub, nsub);
}

uint32_t
smb2_security_descriptor(struct smb2_open *o, uint32_t want, struct wbuf *w)
{
	struct stat st;
	uint32_t owner[2] = { 1, 0 }, group[2] = { 2, 0 }, world[1] = { 0 };
	size_t base = wbuf_len(w), off, acl;
	uint16_t control = SE_SELF_RELATIVE;

	if (o->fd == -1 || fstat(o->fd, &st) == -1)
		return o->fd == -1 ? NT_STATUS_INVALID_PARAMETER :
		    ntstatus_from_errno(errno);
	owner[1] = (uint32_t)st.st_uid;
	group[1] = (uint32_t)st.st_gid;
	if (want & DACL_SECURITY_INFORMATION)
		control |= SE_DACL_PRESENT;
	wbuf_put_u8(w, 1);		/* Revision */
	wbuf_put_u8(w, 0);
	wbuf_put_u16le(w, control);
	wbuf_put_zero(w, 16);		/* the four offsets, set below */
	if (want & OWNER_SECURITY_INFORMATION) {
		wbuf_set_u32le(w, base + 4, (uint32_t)(wbuf_len(w) - base));
		sd_put_sid(w, 22, owner, 2);
	}
	if (want & GROUP_SECURITY_INFORMATION) {
		wbuf_set_u32le(w, base + 8, (uint32_t)(wbuf_len(w) - base));
		sd_put_sid(w, 22, group, 2);
	}
	if (want & DACL_SECURITY_INFORMATION) {
		acl = wbuf_len(w);
		wbuf_set_u32le(w, base + 16, (uint32_t)(acl - base));
		wbuf_put_u8(w, 2);	/* ACL_REVISION */
		wbuf_put_u8(w, 0);
		wbuf_reserve(w, 2, &off);
		wbuf_put_u16le(w, 3);	/* AceCount */
		wbuf_put_u16le(w, 0);
		sd_put_ace(w, sd_mask((st.st_mode >> 6) & 7, 1), 22, owner, 2);
		sd_put_ace(w, sd_mask((st.st_mode >> 3) & 7, 0), 22, group, 2);
		sd_put_ace(w, sd_mask(st.st_mode & 7, 0), 1, world, 1);
		wbuf_set_u16le(w, off, (uint16_t)(wbuf_len(w) - acl));
	}
	return wbuf_error(w) ? NT_STATUS_INSUFFICIENT_RESOURCES :
	    NT_STATUS_SUCCESS;
}
