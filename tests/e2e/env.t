#!/bin/bash
# env.t - the session sees the link's path in the variable chosen with
# env= (AGENTLINK_SOCK by default); with env=SSH_AUTH_SOCK the shell's
# SSH_AUTH_SOCK is the link and ssh-add -l works at once.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent setpriv ss

e2e_setup
e2e_pam "$E2E_MODULE"
e2e_sshd_start
tap_plan 5
fpA=$(e2e_fp A)
R=6

out=$(e2e_ssh A -A e2e 'echo "AGENTLINK_SOCK=${AGENTLINK_SOCK-unset}"; echo "SSH_AUTH_SOCK=$SSH_AUTH_SOCK"' </dev/null)
tap_diag "default: $(tr '\n' ' ' <<<"$out")"
tap_check "default: the session sees AGENTLINK_SOCK=$E2E_LINK" \
	grep -qx "AGENTLINK_SOCK=$E2E_LINK" <<<"$out"
tap_check "default: sshd's own SSH_AUTH_SOCK is left alone" \
	e2e_is_agent_path "$(sed -n 's/^SSH_AUTH_SOCK=//p' <<<"$out")"

e2e_pam "$E2E_MODULE" env=SSH_AUTH_SOCK
# The first thing the session runs uses the link: R times, with and
# without a pty.
good=0
for i in $(seq 1 "$R"); do
	tty=()
	[ $((i % 2)) = 0 ] && tty=(-tt)
	out=$(e2e_ssh A -A "${tty[@]}" e2e 'echo "SSH_AUTH_SOCK=$SSH_AUTH_SOCK"; ssh-add -l; echo "rc=$?"' </dev/null | tr -d '\r')
	if grep -qx "SSH_AUTH_SOCK=$E2E_LINK" <<<"$out" && grep -q "$fpA" <<<"$out" &&
		grep -qx rc=0 <<<"$out"; then
		good=$((good + 1))
	else
		tap_diag "env=SSH_AUTH_SOCK login $i ${tty[*]}: $(tr '\n' ' ' <<<"$out")"
	fi
done
tap_diag "env=SSH_AUTH_SOCK: $good of $R logins had a working link as their first command"
tap_check "env=SSH_AUTH_SOCK: SSH_AUTH_SOCK is the link and ssh-add -l works at once ($good/$R logins, half of them with a pty)" \
	test "$good" = "$R"

e2e_pam "$E2E_MODULE" env=none
out=$(e2e_ssh A -A e2e 'echo "AGENTLINK_SOCK=${AGENTLINK_SOCK-unset}"; echo "SSH_AUTH_SOCK=$SSH_AUTH_SOCK"' </dev/null)
tap_check "env=none: nothing published" grep -qx "AGENTLINK_SOCK=unset" <<<"$out"

e2e_pam "$E2E_MODULE" env=MY_AGENT
out=$(e2e_ssh A e2e 'echo "MY_AGENT=${MY_AGENT-unset}"' </dev/null)
tap_check "env=MY_AGENT: the session sees MY_AGENT=$E2E_LINK" \
	grep -qx "MY_AGENT=$E2E_LINK" <<<"$out"
tap_exit
