/* euid - print the effective uid it runs with: served by attackfs as a
 * setuid-root executable, it says whether the mount honoured the bit. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("%u\n", (unsigned int)geteuid());
	return 0;
}
