#!/bin/bash
# demo.sh - "make demo": the reconnect story told with the real programs.
# A private host (tests/lib/ns-run: namespaces, nothing touches this
# machine) runs Debian's sshd with pam_agentlink in its PAM stack; alice
# starts tmux under one connection, disconnects, comes back with another
# agent, and the old pane's ssh-add -l follows.  Needs no terminal.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "${NS_RUN_INSIDE:-}" != 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "make demo runs a private sshd in private namespaces: run it as root" >&2
		exit 1
	fi
	if ! unshare --mount --pid --net --uts --ipc --fork true 2>/dev/null; then
		echo "make demo needs private namespaces (unshare), which this machine refuses" >&2
		exit 1
	fi
	exec "$here/../lib/ns-run" "$here/demo.sh" "$@"
fi
. "$here/lib.sh"
for p in /usr/sbin/sshd ssh ssh-agent tmux setpriv; do
	command -v "$p" >/dev/null || e2e_die "$p is not installed (sh tests/bootstrap.sh demo installs it)"
done

step=0
say() { step=$((step + 1)); printf '\n%d. %s\n' "$step" "$*"; }
show() { sed 's/^/     /'; }
link_is() { [ "$(e2e_link)" = "$1" ]; }
link_gone() { [ ! -L "$E2E_LINK" ]; }
ready() { grep -q ready "$1" 2>/dev/null; }
linkinfo() {
	if [ -L "$E2E_LINK" ]; then
		echo "~/.ssh/agent-labhost.sock -> $(e2e_link)"
	else
		echo "~/.ssh/agent-labhost.sock does not exist"
	fi
}
prompt='alice@labhost:~$ '
pane_idle() { [ "$(as_alice tmux capture-pane -p -t work | sed '/^$/d' | tail -1)" = "${prompt% }" ] ||
	[ "$(as_alice tmux capture-pane -p -t work | sed '/^$/d' | tail -1)" = "$prompt" ]; }
pane_done() { [ "$(as_alice tmux capture-pane -p -t work | grep -c '^alice@labhost:~\$')" -ge 2 ]; }
# pane_cmd CMD: types CMD into the old tmux pane and shows the pane.
pane_cmd() {
	as_alice tmux send-keys -t work clear Enter
	e2e_wait 3 pane_idle || true
	as_alice tmux send-keys -t work "$1" Enter
	e2e_wait 3 pane_done || true
	echo "     +-- tmux pane (started under the first connection) --"
	as_alice tmux capture-pane -p -t work | sed '/^$/d; s/^/     | /'
	echo "     +--"
}

echo "pam_agentlink demo: a private host \"labhost\" (namespaces; nothing here"
echo "touches this machine) runs Debian's own sshd on 127.0.0.1:$E2E_PORT."

e2e_setup
e2e_pam "$E2E_MODULE"
e2e_sshd_start
echo "PS1='$prompt'" >"$E2E_HOME/.bashrc"
cat >"$E2E_HOME/.tmux.conf" <<EOF
set -g update-environment "DISPLAY SSH_ASKPASS SSH_AGENT_PID SSH_CONNECTION WINDOWID XAUTHORITY"
set-environment -gF SSH_AUTH_SOCK "\$HOME/.ssh/agent-#{host_short}.sock"
EOF
chown "$E2E_USER:$E2E_USER" "$E2E_HOME/.bashrc" "$E2E_HOME/.tmux.conf"

say "sshd's PAM stack (/etc/pam.d/sshd-agentlink, a copy of Debian's) ends with:"
tail -1 "$E2E_PAM" | show
echo "   alice's ~/.tmux.conf points every pane at the link:"
tail -1 "$E2E_HOME/.tmux.conf" | show
echo "   Two ssh-agents play two laptops: agent A holds agent-A-key, agent B agent-B-key."

say "alice connects with agent A forwarded (ssh -A) and starts tmux, detached:"
e2e_sshx A -A e2e "tmux new-session -d -s work -x 80 -y 12 && echo ready; exec cat >/dev/null" \
	<"$E2E_HOLD" >"$E2E_DIR/c1.out" 2>&1 &
c1=$!
e2e_wait 10 ready "$E2E_DIR/c1.out" || e2e_die "the first connection did not start tmux: $(cat "$E2E_DIR/c1.out")"
s1=$(e2e_agent_socks | head -1)
e2e_wait 3 link_is "$s1" || true
echo "   sshd made the forwarded socket $s1; pam_agentlink linked it:"
linkinfo | show
echo "   In the tmux pane:"
pane_cmd "ssh-add -l"

say "alice disconnects (the tmux session stays on labhost)."
kill "$c1"
wait "$c1" 2>/dev/null || true
e2e_wait 3 link_gone || true
echo "   sshd removed the socket; pam_agentlink's close_session saw no live agent left:"
linkinfo | show
pane_cmd "ssh-add -l"

say "alice reconnects from the other laptop, with agent B:"
t0=$(e2e_ms)
e2e_sshx B -A e2e "echo ready; exec cat >/dev/null" <"$E2E_HOLD" >"$E2E_DIR/c2.out" 2>&1 &
c2=$!
e2e_wait 10 ready "$E2E_DIR/c2.out" || e2e_die "the second connection did not start"
s2=$(e2e_agent_socks | head -1)
e2e_wait 3 link_is "$s2" || true
echo "   logged in after $(($(e2e_ms) - t0)) ms; the link already follows the new connection:"
linkinfo | show
echo "   In the same old pane, nothing restarted:"
pane_cmd "ssh-add -l"
as_alice tmux capture-pane -p -t work | grep -q agent-B-key || e2e_die "the pane does not see agent B's key"

say "What the module logged (syslog):"
grep 'pam_agentlink' "$NS_SYSLOG" | sed 's/.*pam_agentlink([^)]*): //' | show

kill "$c2"
wait "$c2" 2>/dev/null || true
as_alice tmux kill-server 2>/dev/null || true
e2e_cleanup
echo
echo "Cleaned up: sshd, agents and tmux stopped; the private host is gone."
echo
echo "To use it on a real host: make && make install, then add this line to"
echo "/etc/pam.d/sshd, after \"@include common-session\":"
echo
echo "    session optional pam_agentlink.so"
echo
echo "and point tmux at the link in ~/.tmux.conf:"
echo
echo '    set-environment -gF SSH_AUTH_SOCK "$HOME/.ssh/agent-#{host_short}.sock"'
