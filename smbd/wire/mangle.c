/*
 * 8.3 short names.  See mangle.h.
 *
 * A long name's short name is made from the name alone: up to five of
 * its characters, '~' and two base-36 digits of a hash of the whole name,
 * then up to three characters of its extension, upper-cased.  Nothing is
 * stored on disk, so the way back is a scan of the directory for the
 * entry whose short name is the one asked for, done only for a name that
 * has the shape of a short name and does not exist as written.
 *
 * As Samba's "mangled names" cache does, this process also remembers the
 * last MANGLE_CACHE short names it gave out or resolved: a client that
 * deletes a file by its short name and creates it again by that name
 * gets the long name back (smb2.mangle does exactly that).
 */
#include "config.h"

#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mangle.h"
#include "util.h"

#define MANGLE_CACHE	256

struct mangle_entry {
	char	*dir;		/* share-relative directory, "" for the root */
	char	*longname;
	char	 shortname[13];
};

static struct mangle_entry mangle_cache[MANGLE_CACHE];
static size_t mangle_next;

/* Characters an 8.3 name may not have (besides '.', ' ' and non-ASCII). */
static int
mangle_char_bad(unsigned char c)
{
	return c >= 0x80 || c == ' ' || strchr("+,;=[]", c) != NULL;
}

int
smb2_short_name(const char *name, char *out)
{
	static const char b36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	const char *dot, *p;
	char base[9], ext[4];
	uint32_t h = 2166136261U;
	size_t nb = 0, ne = 0, len;
	int is83;

	/* A trailing dot is no 8.3 name: the short name must differ. */
	len = strlen(name);
	dot = strrchr(name, '.');
	is83 = len > 0 && len <= 12 && (dot == NULL ? len <= 8 :
	    (size_t)(dot - name) <= 8 && strlen(dot + 1) >= 1 &&
	    strlen(dot + 1) <= 3 && dot != name);
	for (p = name; *p != '\0'; p++) {
		h = (h ^ (unsigned char)*p) * 16777619U;
		if (is83 && (mangle_char_bad((unsigned char)*p) ||
		    (*p == '.' && p != dot)))
			is83 = 0;
	}
	/* Characters 8.3 names cannot have become '_', as on Windows. */
	for (p = name; *p != '\0' && (dot == NULL || p < dot) && nb < 8;
	    p++) {
		if (*p == '.' || *p == ' ' || (unsigned char)*p >= 0x80)
			continue;
		base[nb++] = mangle_char_bad((unsigned char)*p) ? '_' :
		    (char)toupper((unsigned char)*p);
	}
	if (dot != NULL)
		for (p = dot + 1; *p != '\0' && ne < 3; p++) {
			if (*p == ' ' || (unsigned char)*p >= 0x80)
				continue;
			ext[ne++] = mangle_char_bad((unsigned char)*p) ? '_' :
			    (char)toupper((unsigned char)*p);
		}
	if (!is83) {
		if (nb > 5)
			nb = 5;
		base[nb++] = '~';
		base[nb++] = b36[h % 36];
		base[nb++] = b36[(h / 36) % 36];
	}
	base[nb] = '\0';
	ext[ne] = '\0';
	snprintf(out, 13, "%s%s%s", base, ne > 0 ? "." : "", ext);
	return is83;
}

int
mangle_is_mangled(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t len = strlen(name), blen, i;

	if (len > 12)
		return 0;
	blen = dot != NULL ? (size_t)(dot - name) : len;
	if (dot != NULL && (len - blen - 1 < 1 || len - blen - 1 > 3))
		return 0;
	if (blen < 3 || blen > 8 || name[blen - 3] != '~')
		return 0;
	for (i = blen - 2; i < blen; i++)
		if (!isalnum((unsigned char)name[i]))
			return 0;
	return 1;
}

static struct mangle_entry *
mangle_find(const char *dir, const char *shortname)
{
	size_t i;

	for (i = 0; i < MANGLE_CACHE; i++)
		if (mangle_cache[i].dir != NULL &&
		    strcmp(mangle_cache[i].dir, dir) == 0 &&
		    strcasecmp(mangle_cache[i].shortname, shortname) == 0)
			return &mangle_cache[i];
	return NULL;
}

static void
mangle_store(const char *dir, size_t dlen, const char *longname)
{
	struct mangle_entry *e;
	char shortname[13], *d;

	if (*longname == '\0' || strcmp(longname, ".") == 0 ||
	    strcmp(longname, "..") == 0 || strchr(longname, '/') != NULL ||
	    smb2_short_name(longname, shortname))
		return;
	d = xstrndup(dir, dlen);
	if ((e = mangle_find(d, shortname)) != NULL) {
		free(d);
		free(e->longname);
		e->longname = xstrdup(longname);
		return;
	}
	e = &mangle_cache[mangle_next];
	mangle_next = (mangle_next + 1) % MANGLE_CACHE;
	free(e->dir);
	free(e->longname);
	e->dir = d;
	e->longname = xstrdup(longname);
	memcpy(e->shortname, shortname, sizeof(shortname));
}

void
mangle_remember(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		mangle_store("", 0, path);
	else
		mangle_store(path, (size_t)(slash - path), slash + 1);
}

char *
mangle_lookup(int dirfd, const char *dir, const char *name, int *exists)
{
	struct mangle_entry *e;
	struct dirent *de;
	char shortname[13], *found = NULL;
	DIR *d = NULL;
	int fd;

	*exists = 0;
	if (!mangle_is_mangled(name))
		return NULL;
	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) !=
	    -1 && (d = fdopendir(fd)) == NULL)
		close(fd);
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (!smb2_short_name(de->d_name, shortname) &&
		    strcasecmp(shortname, name) == 0) {
			found = xstrdup(de->d_name);
			break;
		}
	}
	if (d != NULL)
		closedir(d);
	if (found != NULL) {
		*exists = 1;
		mangle_store(dir, strlen(dir), found);
		return found;
	}
	if ((e = mangle_find(dir, name)) != NULL)
		return xstrdup(e->longname);
	return NULL;
}
