/*
 * DOS wildcards for QUERY_DIRECTORY.
 */
#include "config.h"

#include <string.h>

#include "smb2_dir.h"

/* Upper-case folding for ASCII; other characters compare as they are. */
static int
dir_fold(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/*
 * DOS wildcard matching (MS-FSA 2.1.4.4): '*' any run, '?' one
 * character, '<' (DOS_STAR) any run up to the last '.', '>' (DOS_QM) one
 * character or nothing before a '.' or the end, '"' (DOS_DOT) a '.' or
 * the end.  Case-insensitive.
 */
int
smb2_wildcard_match(const char *p, const char *n)
{
	const char *dot;

	for (; *p != '\0'; p++) {
		switch (*p) {
		case '*':
			if (p[1] == '\0')
				return 1;
			for (; *n != '\0'; n++)
				if (smb2_wildcard_match(p + 1, n))
					return 1;
			return smb2_wildcard_match(p + 1, n);
		case '<':
			dot = strrchr(n, '.');
			for (;; n++) {
				if (smb2_wildcard_match(p + 1, n))
					return 1;
				if (*n == '\0' || (dot != NULL && n > dot))
					return 0;
				if (dot == NULL && *n == '\0')
					return 0;
			}
		case '>':
			if (*n == '\0' || *n == '.')
				continue;
			n++;
			break;
		case '"':
			if (*n == '\0')
				continue;
			if (*n != '.')
				return 0;
			n++;
			break;
		case '?':
			if (*n == '\0')
				return 0;
			/* One UTF-8 character. */
			n++;
			while (((unsigned char)*n & 0xc0) == 0x80)
				n++;
			break;
		default:
			if (dir_fold((unsigned char)*p) !=
			    dir_fold((unsigned char)*n))
				return 0;
			n++;
			break;
		}
	}
	return *n == '\0';
}

