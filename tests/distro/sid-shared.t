#!/bin/sh
# sid-shared.t - the e2e suite on Debian unstable with sshd's
# "AgentSocketPath shared:/tmp" (sockets /tmp/ssh-XXXXXXXXXXXX/agent.sshd.PID)
# and the module's matching agentsocketpath= option.
export E2E_SSHD_EXTRA='AgentSocketPath shared:/tmp'
export E2E_MODULE_ARGS='agentsocketpath=shared:/tmp'
exec "$(dirname "$0")/matrix" sid e2e "AgentSocketPath shared:/tmp"
