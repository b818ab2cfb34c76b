# doc/doc.mk - manual page, conf/ snippets, Debian package, SELinux hooks.
# -included by tests/tests.mk.
MANDIR ?= /usr/share/man

.PHONY: doc-install doc-uninstall
doc-install:
	install -d $(DESTDIR)$(MANDIR)/man8
	install -m 0644 doc/pam_agentlink.8 $(DESTDIR)$(MANDIR)/man8/pam_agentlink.8

doc-uninstall:
	rm -f $(DESTDIR)$(MANDIR)/man8/pam_agentlink.8

# "make install" installs the manual page too (a rule without a recipe
# only adds prerequisites to the top Makefile's install target).
install: doc-install
uninstall: doc-uninstall

# The SELinux hooks, as built (with libselinux when available) and as
# built with SELINUX=no: selinux.c compiled in without HAVE_SELINUX
# replaces the archive's member.
tests/unit/test_selinux_off: tests/unit/test_selinux.c pam_agentlink/selinux.c \
		$(LIBAL) tests/lib/tap.h
	$(CC) $(CPPFLAGS) -UHAVE_SELINUX $(TEST_CFLAGS) -o $@ \
	  tests/unit/test_selinux.c pam_agentlink/selinux.c pam_agentlink/libagentlink.a

DOC_UNIT   = tests/unit/test_selinux tests/unit/test_selinux_off
TESTS      += doc/man.t $(DOC_UNIT) tests/debian/snippets.t tests/debian/install.t
CHECK_BUILD += $(DOC_UNIT) tests/tools/logsink
CLEAN_FILES += $(DOC_UNIT)
