# tests/doc/doc.mk - the manual pages, conf/ snippets, the Debian package
# and the SELinux hooks.  -included by tests/tests.mk.
# The SELinux hooks, as built (with libselinux when available) and as
# built with SELINUX=no: selinux.c compiled in without HAVE_SELINUX
# replaces the archive's member.
tests/unit/test_selinux_off: tests/unit/test_selinux.c $(LIB)/selinux.c \
		$(LIBAL) tests/lib/tap.h
	$(CC) $(CPPFLAGS) -UHAVE_SELINUX $(TEST_CFLAGS) -o $@ \
	  tests/unit/test_selinux.c $(LIB)/selinux.c $(LIBAL)

DOC_UNIT   = tests/unit/test_selinux tests/unit/test_selinux_off
TESTS      += tests/doc/man.t tests/doc/cmdman.t $(DOC_UNIT) tests/debian/snippets.t tests/debian/install.t
CHECK_BUILD += $(DOC_UNIT) tests/tools/logsink
CLEAN_FILES += $(DOC_UNIT)
