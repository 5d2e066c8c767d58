/*
 * LastWriteTime of an open file, updated the way Windows and Samba do
 * (MS-FSA 2.1.5.14.2 and the notes on 2.1.4.17): the first write through
 * a handle moves the time only after a delay, later writes through it not
 * until it closes, and a time the client set through the handle sticks.
 */
#ifndef USMBD_SMB2_WTIME_H
#define USMBD_SMB2_WTIME_H

#include <stdint.h>

struct smb2_conn;
struct smb2_open;
struct stat;

/* Seconds between the first write through a handle and the update. */
#define SMB2_WT_DELAY_SEC	2

/* Before a WRITE through o: hide the time the write is about to set. */
void	smb2_wt_write(struct smb2_conn *, struct smb2_open *);
/* FLUSH: a pending update happens now. */
void	smb2_wt_flush(struct smb2_open *);
/* After the end of file or allocation changed through o. */
void	smb2_wt_modified(struct smb2_open *);
/*
 * SET_INFO FileBasicInformation through o, before its times are set:
 * LastWriteTime as the client sent it (0: unchanged, -1: stop automatic
 * updates, -2: resume them).
 */
void	smb2_wt_setbasic(struct smb2_open *, uint64_t);
/* The handle closes: apply what is still owed; the timer goes away. */
void	smb2_wt_close(struct smb2_open *);
/*
 * The write time to report for o (or for another open of the same file
 * in this worker) instead of what st says, if any.
 */
void	smb2_wt_stat(const struct smb2_open *, struct stat *);
/* The same for a file known by its stat only (a directory entry). */
void	smb2_wt_stat_inode(struct stat *);

#endif /* USMBD_SMB2_WTIME_H */
