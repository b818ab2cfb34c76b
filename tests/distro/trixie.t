#!/bin/sh
# trixie.t - Debian 13 (OpenSSH 10.0): the module built with trixie's gcc and
# libpam, make's SELinux detection, and the e2e suite, in a trixie root.
exec "$(dirname "$0")/matrix" trixie full
