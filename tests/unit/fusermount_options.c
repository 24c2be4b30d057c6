/* fusermount3's -o: it splits at commas and unescapes backslashes, so the
 * source and subtype (free text) are escaped and nothing else is. */
#include "unit.h"

#include "fusermount.h"

int main(void)
{
	char *s;

	s = fusermount_options(NULL, NULL, "src", "testfs");
	CHECK_STR(s, "fsname=src,subtype=testfs", "source and subtype alone");
	free(s);

	s = fusermount_options("", "", "src", "testfs");
	CHECK_STR(s, "fsname=src,subtype=testfs", "empty option strings add nothing");
	free(s);

	s = fusermount_options("ro,nosuid", "allow_other,max_read=4096", "host:/data", "sshfs");
	CHECK_STR(s, "ro,nosuid,allow_other,max_read=4096,fsname=host:/data,subtype=sshfs",
		  "VFS options, then fuse parameters, then source and subtype");
	free(s);

	s = fusermount_options(NULL, "default_permissions", "a,b", "x,y");
	CHECK_STR(s, "default_permissions,fsname=a\\,b,subtype=x\\,y",
		  "commas in the source and subtype are escaped");
	free(s);

	s = fusermount_options(NULL, NULL, "C:\\dir\\", "t");
	CHECK_STR(s, "fsname=C:\\\\dir\\\\,subtype=t", "backslashes are escaped");
	free(s);

	s = fusermount_options(NULL, NULL, "\\,", "");
	CHECK_STR(s, "fsname=\\\\\\,,subtype=", "a backslash before a comma: both escaped");
	free(s);

	s = fusermount_options("ro", NULL, "user@host:/a=b", "sshfs");
	CHECK_STR(s, "ro,fsname=user@host:/a=b,subtype=sshfs", "'=' in a value is left alone");
	free(s);

	return unit_done();
}
