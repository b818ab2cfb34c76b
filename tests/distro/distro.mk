# tests/distro/distro.mk - the release matrix: the module built and the e2e
# suite run inside Debian roots of other releases (tests/distro/mkroot,
# cached in /var/cache/pam_agentlink-tests).  -included by tests/tests.mk.
DISTRO_TESTS = tests/distro/trixie.t tests/distro/sid.t \
               tests/distro/sid-shared.t tests/distro/sid-user-tmp.t

TESTS += $(DISTRO_TESTS)

# The matrix alone.  It builds inside the roots, from a copy of the
# checkout, so it needs nothing built here.
.PHONY: check-distros
check-distros:
	prove -v --exec '' $(DISTRO_TESTS)
