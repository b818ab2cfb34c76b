# make bench: the cost of the module per login, the time to heal after a
# reconnect, scale with many sockets and the whole-login overhead.  Not
# part of make check: it prints figures and asserts none of them.
# Runs as root inside tests/lib/ns-run (private namespaces).
BENCH_PROG = tests/bench/agentbench
# One file a measurement, and what they share (bench.h, common.c).
BENCH_SRCS = tests/bench/main.c tests/bench/common.c \
             tests/bench/processes.c tests/bench/agents.c \
             tests/bench/fixture.c tests/bench/transactions.c \
             tests/bench/syscalls.c \
             tests/bench/remove_parts.c tests/bench/heal.c \
             tests/bench/scale.c tests/bench/whole_login.c

# Built in one command from the sources: no objects to ignore or clean.
$(BENCH_PROG): $(BENCH_SRCS) tests/bench/bench.h $(LIBAL) $(HEADERS)
	$(CC) $(CPPFLAGS) $(WARNINGS) $(WERROR) $(CFLAGS) -o $@ $(BENCH_SRCS) $(LIBAL) -lpam $(SELINUX_LIBS) -lm

CLEAN_FILES += $(BENCH_PROG)

.PHONY: bench
bench: $(TEST_MODULE) $(HELPER) $(BENCH_PROG) tests/tools/logsink
	@tests/lib/ns-run tests/bench/bench.sh
