/*
 * 8.3 short names (MS-FSCC 2.1.5.2.1): the name FileAlternateNameInformation
 * and the directory listings give a long name, and the way back from such
 * a name to the long one when a client opens by it.
 */
#ifndef USMBD_MANGLE_H
#define USMBD_MANGLE_H

/* The 8.3 name of a name (out holds 13 bytes); 1 if it already is one. */
int	smb2_short_name(const char *, char *);
/* Whether a name has the shape of a short name made by smb2_short_name. */
int	mangle_is_mangled(const char *);
/*
 * The long name in the directory dirfd (the share path dir) whose short
 * name is name: *exists is 1 for an entry found there, 0 for one this
 * process handed out and that is gone now (a create by the short name
 * makes the long name again, as Samba's cache does).  NULL if none.
 */
char	*mangle_lookup(int, const char *, const char *, int *);
/* Remember the short name of the long name path (share-relative). */
void	 mangle_remember(const char *);

#endif /* USMBD_MANGLE_H */
