# Tests: TAP programs run by prove.  Unit tests need nothing; module tests
# run through the real libpam inside private namespaces (root).
TEST_CFLAGS = $(WARNINGS) $(WERROR) $(CFLAGS) -Itests/lib
UNIT_TESTS  = tests/unit/test_rule tests/unit/test_expand tests/unit/test_cfg \
              tests/unit/test_hosthash tests/unit/test_scan tests/unit/test_creds \
              tests/unit/test_probe tests/unit/test_conn \
              tests/unit/test_tmuxparse tests/unit/test_diag \
              tests/unit/test_sshdconf tests/unit/test_pass
TEST_TOOLS  = tests/tools/logsink tests/tools/sockfix tests/tools/agentprobe \
              tests/tools/fusehang
MODULE_TEST = tests/module/test_module

tests/unit/%: tests/unit/%.c $(LIBAL) tests/lib/tap.h tests/lib/logcap.h
	$(CC) $(CPPFLAGS) $(TEST_CFLAGS) -o $@ $< $(LIBAL) $(SELINUX_LIBS)

tests/tools/%: tests/tools/%.c
	$(CC) $(CPPFLAGS) $(TEST_CFLAGS) -o $@ $<

# agentprobe runs the library's probe, so it links the library.
tests/tools/agentprobe: tests/tools/agentprobe.c $(LIBAL)
	$(CC) $(CPPFLAGS) $(TEST_CFLAGS) -o $@ $< $(LIBAL) $(SELINUX_LIBS)

$(MODULE_TEST): tests/module/test_module.c tests/lib/tap.h $(LIBAL)
	$(CC) $(CPPFLAGS) $(TEST_CFLAGS) -o $@ $< $(LIBAL) -lpam -lpthread $(SELINUX_LIBS)

# The module as the tests load it: the same objects as $(MODULE), but it
# execs the helper built here rather than the installed one.
TEST_MODULE = tests/build/pam_agentlink.so
tests/build/spawn.o: pam_agentlink/module/spawn.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DAL_WATCH_HELPER='"$(CURDIR)/$(HELPER)"' \
	  $(ALL_CFLAGS) -c -o $@ $<

$(TEST_MODULE): pam_agentlink/module/pam_agentlink.o pam_agentlink/module/login.o tests/build/spawn.o \
		$(LIBAL)
	$(link_module)

TESTS       = $(UNIT_TESTS) tests/unit/probe_agent.t tests/module/module.t
CHECK_BUILD = $(MODULE) $(HELPER) $(CMD) $(TEST_MODULE) $(UNIT_TESTS) \
              $(TEST_TOOLS) $(MODULE_TEST)
CLEAN_FILES =

# Each suite adds itself to TESTS, CHECK_BUILD and CLEAN_FILES in its own
# fragment, so suites can grow without touching each other.
-include tests/e2e/e2e.mk tests/hostile/hostile.mk tests/fuzz/fuzz.mk \
         tests/bench/bench.mk tests/doc/doc.mk tests/install/install.mk \
         tests/distro/distro.mk

.PHONY: check-build tests-clean
check-build: $(CHECK_BUILD)

check: check-build
	prove -v --exec '' $(TESTS)

tests-clean:
	rm -f $(UNIT_TESTS) $(TEST_TOOLS) $(MODULE_TEST) $(CLEAN_FILES)
	rm -rf tests/build
