# tests/install/install.mk - make install as an admin runs it, and the e2e
# reconnect and tmux tests against what it installed.  -included by
# tests/tests.mk.
TESTS       += tests/install/source.t
CHECK_BUILD += $(MODULE) $(HELPER) $(CMD) tests/tools/logsink
