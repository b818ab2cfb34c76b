# End-to-end tests: Debian's real sshd, ssh, ssh-agent, tmux and screen
# inside tests/lib/ns-run (root), and "make demo".
E2E_TESTS = tests/e2e/reconnect.t tests/e2e/keep.t tests/e2e/killed.t \
            tests/e2e/noforward.t tests/e2e/disconnect.t tests/e2e/env.t \
            tests/e2e/mux.t tests/e2e/x11.t tests/e2e/broken.t tests/e2e/facts.t \
            tests/e2e/hung.t tests/e2e/helper.t tests/e2e/status.t \
            tests/e2e/doctor.t tests/e2e/interactive.t tests/e2e/tmux.t \
            tests/e2e/slow.t tests/e2e/hidepid.t

TESTS       += $(E2E_TESTS)
CHECK_BUILD += $(TEST_MODULE) $(CMD) tests/tools/logsink

.PHONY: demo
demo: $(TEST_MODULE) $(HELPER) tests/tools/logsink
	@tests/e2e/demo.sh
