# make bench: the cost of the module per login, the time to heal after a
# reconnect, scale with many sockets and the whole-login overhead.  Not
# part of make check: it prints figures and asserts none of them.
# Runs as root inside tests/lib/ns-run (private namespaces).
BENCH_PROG = tests/bench/agentbench

$(BENCH_PROG): tests/bench/agentbench.c $(LIBAL) $(HEADERS)
	$(CC) $(CPPFLAGS) $(WARNINGS) $(WERROR) $(CFLAGS) -o $@ $< $(LIBAL) -lpam $(SELINUX_LIBS) -lm -pthread

CLEAN_FILES += $(BENCH_PROG)

.PHONY: bench
bench: $(TEST_MODULE) $(HELPER) $(BENCH_PROG) tests/tools/logsink
	@tests/lib/ns-run tests/bench/bench.sh
