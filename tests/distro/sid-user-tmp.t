#!/bin/sh
# sid-user-tmp.t - the e2e suite on Debian unstable with sshd's
# "AgentSocketPath user:/tmp/agents-%u" (sockets
# /tmp/agents-USER/s.HASH.sshd.PID.RANDOM) and the module's matching
# agentsocketpath= option.
export E2E_SSHD_EXTRA='AgentSocketPath user:/tmp/agents-%u'
export E2E_MODULE_ARGS='agentsocketpath=user:/tmp/agents-%u'
exec "$(dirname "$0")/matrix" sid e2e "AgentSocketPath user:/tmp/agents-%u"
