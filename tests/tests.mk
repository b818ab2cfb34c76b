# Tests: TAP programs run by prove.  Unit tests need nothing; module tests
# run through the real libpam inside private namespaces (root).
TEST_CFLAGS = $(WARNINGS) $(WERROR) $(CFLAGS) -Itests/lib
UNIT_TESTS  = tests/unit/test_rule tests/unit/test_expand tests/unit/test_cfg \
              tests/unit/test_hosthash tests/unit/test_scan tests/unit/test_creds
TEST_TOOLS  = tests/tools/logsink tests/tools/sockfix
MODULE_TEST = tests/module/test_module

tests/unit/%: tests/unit/%.c $(LIBAL) tests/lib/tap.h
	$(CC) $(CPPFLAGS) $(TEST_CFLAGS) -o $@ $< $(LIBAL) $(SELINUX_LIBS)

tests/tools/%: tests/tools/%.c
	$(CC) $(CPPFLAGS) $(TEST_CFLAGS) -o $@ $<

$(MODULE_TEST): tests/module/test_module.c tests/lib/tap.h $(LIBAL)
	$(CC) $(CPPFLAGS) $(TEST_CFLAGS) -o $@ $< $(LIBAL) -lpam $(SELINUX_LIBS)

TESTS       = $(UNIT_TESTS) tests/module/module.t
CHECK_BUILD = $(MODULE) $(UNIT_TESTS) $(TEST_TOOLS) $(MODULE_TEST)
CLEAN_FILES =

# Each suite adds itself to TESTS, CHECK_BUILD and CLEAN_FILES in its own
# fragment, so suites can grow without touching each other.
-include tests/e2e/e2e.mk tests/hostile/hostile.mk fuzz/fuzz.mk \
         bench/bench.mk doc/doc.mk tests/distro/distro.mk

.PHONY: check-build tests-clean
check-build: $(CHECK_BUILD)

check: check-build
	prove -v --exec '' $(TESTS)

tests-clean:
	rm -f $(UNIT_TESTS) $(TEST_TOOLS) $(MODULE_TEST) $(CLEAN_FILES)
