#!/bin/bash
# broken.t - a broken configuration never locks anybody out: with an
# unknown option on the PAM line, or a home where the link cannot be
# written, the login succeeds (agent forwarding included), and the system
# log carries a clear line naming the problem.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent setpriv ss

e2e_setup
e2e_sshd_start
tap_plan 9
fpA=$(e2e_fp A)

# login: one login with -A; prints what the session saw.
login() {
	e2e_ssh A -A e2e 'echo login-ok; ssh-add -l' </dev/null 2>&1 || echo "ssh exit $?"
}
works() { grep -qx login-ok <<<"$1" && grep -q "$fpA" <<<"$1"; }
# mark; then new_log: the module's syslog lines since the mark.
mark() { mark=$(wc -l <"$NS_SYSLOG"); }
new_log() { tail -n +$((mark + 1)) "$NS_SYSLOG" | grep 'pam_agentlink' || true; }
# one_clear_line PATTERN: the new lines matching PATTERN say one thing
# (the same line may come from open, watch and close).
one_clear_line() {
	local m
	m=$(new_log | grep -e "$1" | sed 's/^<[0-9]*>[A-Z][a-z]* [ 0-9]* [0-9:]* //' | sort -u)
	tap_diag "log: $m"
	[ -n "$m" ] && [ "$(wc -l <<<"$m")" = 1 ]
}

# 1. An unknown option.
e2e_pam "$E2E_MODULE" bogus=1
mark
out=$(login)
tap_check "unknown option: the login succeeds and the agent is forwarded" works "$out"
tap_check "unknown option: the log names it in one clear line" \
	one_clear_line 'unknown option "bogus"'
tap_check "unknown option: the module still links with its defaults" \
	eval 'grep -q "linked $E2E_LINK" <<<"$(new_log)"'

# 2. ~/.ssh belongs to root (a home the module cannot write the link in).
# First the last login's close removes its link: sshd runs it a moment
# after the client has gone.
no_link() { [ ! -L "$E2E_LINK" ]; }
e2e_wait 5 no_link || tap_diag "the link of the first login is still there"
e2e_pam "$E2E_MODULE"
chown root:root "$E2E_HOME/.ssh"
chmod 0755 "$E2E_HOME/.ssh"
mark
out=$(login)
tap_diag "session: $(tr '\n' ' ' <<<"$out")"
tap_check "~/.ssh owned by root: the login succeeds and the agent is forwarded" works "$out"
tap_check "~/.ssh owned by root: the log names the directory and the problem in one clear line" \
	one_clear_line "$E2E_HOME/.ssh"
tap_check "~/.ssh owned by root: no link was made" test ! -L "$E2E_LINK"
chown "$E2E_USER:$E2E_USER" "$E2E_HOME/.ssh"
chmod 0700 "$E2E_HOME/.ssh"

# 3. A home the user cannot write in, with the link directly in it.
e2e_pam "$E2E_MODULE" 'link=~/agent-%H.sock'
chmod 0555 "$E2E_HOME"
mark
out=$(login)
tap_diag "session: $(tr '\n' ' ' <<<"$out")"
tap_check "home mode 0555: the login succeeds and the agent is forwarded" works "$out"
tap_check "home mode 0555: the log names the link and the problem in one clear line" \
	one_clear_line "$E2E_HOME/agent-labhost.sock"
tap_check "home mode 0555: no link was made" test ! -L "$E2E_HOME/agent-labhost.sock"
chmod 0700 "$E2E_HOME"
tap_exit
