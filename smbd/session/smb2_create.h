/*
 * CREATE, CLOSE and what other file commands share with them.
 */
#ifndef USMBD_SMB2_CREATE_H
#define USMBD_SMB2_CREATE_H

#include <sys/stat.h>

#include <stdint.h>

struct vfs_share;

/* CREATE dispositions and create actions (MS-SMB2 2.2.13, 2.2.14). */
#define FILE_SUPERSEDE		0
#define FILE_OPEN		1
#define FILE_CREATE		2
#define FILE_OPEN_IF		3
#define FILE_OVERWRITE		4
#define FILE_OVERWRITE_IF	5

#define FILE_SUPERSEDED		0
#define FILE_OPENED		1
#define FILE_CREATED		2
#define FILE_OVERWRITTEN	3

/* The create options more than one command looks at. */
#define FILE_DIRECTORY_FILE	0x00000001
#define FILE_WRITE_THROUGH	0x00000002
#define FILE_NON_DIRECTORY_FILE	0x00000040
#define FILE_DELETE_ON_CLOSE	0x00001000

struct rpc_pipe;
struct smb2_conn;
struct smb2_open;
struct smb2_req;
struct smb2_tree;
struct wbuf;

uint32_t	 smb2_cmd_create(struct smb2_conn *, struct smb2_req *);
uint32_t	 smb2_cmd_close(struct smb2_conn *, struct smb2_req *);
/* Close an open; with a connection, the current request waits. */
uint32_t	 smb2_close_open(struct smb2_conn *, struct smb2_open *);
uint32_t	 smb2_map_generic(uint32_t);
uint32_t	 smb2_maximal_access(const struct smb2_tree *,
		    const struct vfs_share *, const char *);
uint32_t	 smb2_file_attributes(const struct smb2_tree *, const char *,
		    const struct stat *);
/*
 * CreationTime .. ChangeTime; then AllocationSize, EndOfFile, from the
 * inode alone.  Replies about a file use smb2_put_meta_times
 * (smb2_meta.h), which has the stored create time.
 */
void		 smb2_put_times(struct wbuf *, const struct stat *);
void		 smb2_put_times_sizes(struct wbuf *, const struct stat *);

/* smb2_pipe.c: named pipes on IPC$. */
struct rpc_pipe	*smb2_pipe_open(const char *);
void		 smb2_pipe_close(struct rpc_pipe *);

#endif /* USMBD_SMB2_CREATE_H */
