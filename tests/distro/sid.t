#!/bin/sh
# sid.t - Debian unstable (OpenSSH 10.6): the module built with sid's gcc and
# libpam, make's SELinux detection, and the e2e suite with sshd's default
# AgentSocketPath (user:.ssh/agent), in a sid root.
exec "$(dirname "$0")/matrix" sid full
