/*
 * Tree ids of a session: lookup and teardown, shared by the preauth and
 * session programs (TREE_CONNECT itself lives in smb2_tree.c).
 */
#include "config.h"

#include <stdlib.h>

#include "smb2_conn.h"
#include "smb2_tree.h"

struct smb2_tree *
smb2_tree_find(struct smb2_session *s, uint32_t id)
{
	struct smb2_tree *t;

	TAILQ_FOREACH(t, &s->trees, entry)
		if (t->id == id)
			return t;
	return NULL;
}

int
smb2_tree_encrypted(const struct smb2_tree *t)
{
	return t->encrypt;
}

/* Set by the session worker: closes the opens of a tree going away. */
void	(*smb2_tree_close_hook)(struct smb2_tree *);
void	(*smb2_tree_enter_hook)(const struct smb2_tree *);

void
smb2_tree_free_one(struct smb2_session *s, struct smb2_tree *t)
{
	TAILQ_REMOVE(&s->trees, t, entry);
	s->ntrees--;
	if (smb2_tree_close_hook != NULL)
		smb2_tree_close_hook(t);
	free(t);
}

void
smb2_tree_free_all(struct smb2_session *s)
{
	struct smb2_tree *t;

	while ((t = TAILQ_FIRST(&s->trees)) != NULL) {
		t->session_ends = 1;
		smb2_tree_free_one(s, t);
	}
}

