/* Preprocessed by the Makefile: succeeds when the libselinux headers
 * are there. */
#include <selinux/selinux.h>
#include <selinux/label.h>
