/*
 * Unit tests for lockd's count of tree connects ("max connections"):
 * the limit is the claimer's, the count every worker's, and a worker
 * gives back only its own slots.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "lockd_proto.h"
#include "lockd_tcon.h"
#include "unit.h"

#define OK	LOCKD_STATUS_OK
#define FULL	LOCKD_STATUS_INSUFFICIENT_RESOURCES
#define NOTHELD	LOCKD_STATUS_INVALID_PARAMETER

int
main(void)
{
	char name[16];
	int i;

	/* Two slots of "lim", held by two workers; the third is refused. */
	CHECK(lockd_tcon_claim(1, "lim", 2) == OK);
	CHECK(lockd_tcon_claim(2, "LIM", 2) == OK);
	CHECK(lockd_tcon_count("Lim") == 2);
	CHECK(lockd_tcon_claim(3, "lim", 2) == FULL);
	CHECK(lockd_tcon_claim(1, "lim", 2) == FULL);
	/* Another share has a count of its own. */
	CHECK(lockd_tcon_claim(3, "other", 1) == OK);
	CHECK(lockd_tcon_claim(1, "other", 1) == FULL);

	/* A worker gives back only what it holds; the others' stay. */
	CHECK(lockd_tcon_release(3, "lim") == NOTHELD);
	CHECK(lockd_tcon_count("lim") == 2);
	CHECK(lockd_tcon_release(1, "lim") == OK);
	CHECK(lockd_tcon_release(1, "lim") == NOTHELD);
	CHECK(lockd_tcon_count("lim") == 1);
	CHECK(lockd_tcon_claim(3, "lim", 2) == OK);

	/*
	 * A claim with a higher limit is measured against that limit only:
	 * it does not raise the limit of the claims that follow.
	 */
	CHECK(lockd_tcon_claim(4, "lim", 3) == OK);
	CHECK(lockd_tcon_claim(5, "lim", 2) == FULL);
	CHECK(lockd_tcon_count("lim") == 3);

	/* A worker that is gone leaves nothing behind. */
	CHECK(lockd_tcon_release_peer(3) == 2);
	CHECK(lockd_tcon_count("lim") == 2 && lockd_tcon_count("other") == 0);
	CHECK(lockd_tcon_claim(5, "lim", 3) == OK);
	CHECK(lockd_tcon_release_peer(2) == 1);
	CHECK(lockd_tcon_release_peer(4) == 1);
	CHECK(lockd_tcon_release_peer(5) == 1);
	CHECK(lockd_tcon_release_peer(5) == 0);
	CHECK(lockd_tcon_count("lim") == 0);

	/* What one worker makes lockd keep is bounded. */
	for (i = 0; i < LOCKD_TCON_MAX_SHARES; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		CHECK(lockd_tcon_claim(6, name, 1) == OK);
	}
	CHECK(lockd_tcon_claim(6, "one-more", 1) == FULL);
	CHECK(lockd_tcon_claim(7, "one-more", 1) == OK);
	CHECK(lockd_tcon_release_peer(6) == LOCKD_TCON_MAX_SHARES);
	CHECK(lockd_tcon_release_peer(7) == 1);
	return unit_done();
}
