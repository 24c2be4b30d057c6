/*
 * swapper A B: exchange the names A and B (renameat2 RENAME_EXCHANGE)
 * again and again until killed, as a user racing a launcher that checks
 * a path and then mounts on it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: swapper A B\n");
		return 2;
	}
	for (;;)
		if (renameat2(AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0) {
			perror("swapper: renameat2");
			return 1;
		}
}
