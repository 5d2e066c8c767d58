/*
 * Windows wildcard matching of QUERY_DIRECTORY patterns (MS-FSA 2.1.4.4):
 * '*', '?', and the DOS forms '<', '>' and '"'.  A pure function.
 */
#ifndef USMBD_WILDCARD_H
#define USMBD_WILDCARD_H

/* 1 when the name matches the pattern (case-insensitively), else 0. */
int	smb2_wildcard_match(const char *, const char *);

#endif /* USMBD_WILDCARD_H */
