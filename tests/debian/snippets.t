#!/bin/bash
# The conf/ snippets, for real: tmux and screen started with them (and a
# shell sourcing conf/agentlink.sh) give their shells SSH_AUTH_SOCK = the
# published link, and an ssh-agent behind the link answers through it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
if [ "${NS_RUN_INSIDE:-}" != 1 ]; then
	exec "$top/tests/lib/ns-run" "$0" "$@"
fi
command -v tmux >/dev/null || { echo "1..0 # SKIP tmux not installed"; exit 0; }
command -v screen >/dev/null || { echo "1..0 # SKIP screen not installed"; exit 0; }
command -v ssh-agent >/dev/null || { echo "1..0 # SKIP ssh-agent not installed"; exit 0; }

echo "1..13"
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() { # check DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else nok "$1"; echo "# expected [$2], got [$3]"; fi
}
# Waits (deadline 10 s) for a file to have content; prints it.
wait_file() {
	local i
	for i in $(seq 1 200); do
		[ -s "$1" ] && { cat "$1"; return 0; }
		sleep 0.05
	done
	echo "TIMEOUT"
}

conf=$top/conf
run=/tmp/snip
mkdir -p "$run"; chown alice:alice "$run"; chmod 0700 "$run"
link=/home/alice/.ssh/agent-labhost.sock
old=/tmp/ssh-AAAAAAAAAA/agent.111
# Everything below runs as alice, as a user's tmux and screen do.
as_alice() { setpriv --reuid=alice --regid=alice --init-groups --reset-env -- \
	env HOME=/home/alice USER=alice PATH=/usr/bin:/bin "$@"; }

# A live agent of alice's behind the link, as pam_agentlink leaves it.
as_alice mkdir -m 0700 /home/alice/.ssh
as_alice bash -c "mkdir -m 0700 /tmp/ssh-BBBBBBBBBB && ssh-agent -a /tmp/ssh-BBBBBBBBBB/agent.222 >/dev/null"
as_alice ln -s /tmp/ssh-BBBBBBBBBB/agent.222 "$link"

# --- tmux: the server starts from one connection, a second attaches.
# The command a pane or window runs: records what its shell sees.
pane() { echo 'echo "$SSH_AUTH_SOCK" > '"$run/$1"'.env; ssh-add -l >/dev/null 2>&1; echo $? > '"$run/$1"'.rc; sleep 600'; }
as_alice env AGENTLINK_SOCK="$link" SSH_AUTH_SOCK="$old" \
	tmux -S "$run/tmux.sock" -f "$conf/tmux.conf" new-session -d "$(pane t1)"
check "tmux: first pane has SSH_AUTH_SOCK = the link" "$link" "$(wait_file $run/t1.env)"
# ssh-add -l: 1 means "agent has no identities", 2 "cannot connect".
check "tmux: the agent answers through the link in the pane" 1 "$(wait_file $run/t1.rc)"
# A later connection (another SSH_AUTH_SOCK) opens a session on the server:
# tmux's update-environment would hand it that connection's socket.
later=/tmp/ssh-CCCCCCCCCC/agent.333
as_alice env AGENTLINK_SOCK="$link" SSH_AUTH_SOCK="$later" \
	tmux -S "$run/tmux.sock" new-session -d "$(pane t2)"
check "tmux: a session opened from a later connection has the link" "$link" "$(wait_file $run/t2.env)"
as_alice tmux -S "$run/tmux.sock" kill-server
# Control: the same without the snippet does hand out the later socket.
as_alice env AGENTLINK_SOCK="$link" SSH_AUTH_SOCK="$old" \
	tmux -S "$run/tmux0.sock" -f /dev/null new-session -d "$(pane c1)"
wait_file "$run/c1.env" >/dev/null
as_alice env AGENTLINK_SOCK="$link" SSH_AUTH_SOCK="$later" \
	tmux -S "$run/tmux0.sock" new-session -d "$(pane c2)"
check "tmux without the snippet: the later session gets the later socket" "$later" "$(wait_file $run/c2.env)"
as_alice tmux -S "$run/tmux0.sock" kill-server
# Without the published variable the snippet changes nothing.
as_alice env SSH_AUTH_SOCK="$old" \
	tmux -S "$run/tmux2.sock" -f "$conf/tmux.conf" new-session -d "$(pane t3)"
check "tmux: without AGENTLINK_SOCK SSH_AUTH_SOCK is left alone" "$old" "$(wait_file $run/t3.env)"
as_alice tmux -S "$run/tmux2.sock" kill-server

# --- screen
as_alice mkdir -m 0700 /tmp/screens
as_alice env SCREENDIR=/tmp/screens AGENTLINK_SOCK="$link" SSH_AUTH_SOCK="$old" \
	screen -c "$conf/screenrc" -dmS snip bash -c "$(pane s1)"
check "screen: window has SSH_AUTH_SOCK = the link" "$link" "$(wait_file $run/s1.env)"
check "screen: the agent answers through the link in the window" 1 "$(wait_file $run/s1.rc)"
as_alice env SCREENDIR=/tmp/screens screen -S snip -X quit || true

# --- profile.d, under dash and bash, with set -u.
prof() { # prof SHELL ENV... : SSH_AUTH_SOCK after sourcing, or ERROR
	local sh=$1; shift
	env -i PATH=/usr/bin:/bin SSH_AUTH_SOCK="$old" "$@" \
		"$sh" -uc '. "$0" && echo "${SSH_AUTH_SOCK-unset}"' "$conf/agentlink.sh" 2>&1 || echo ERROR
}
for sh in dash bash; do
	check "agentlink.sh ($sh): in tmux it points at the link" "$link" \
		"$(prof $sh TMUX=/tmp/x,1,0 AGENTLINK_SOCK="$link")"
	check "agentlink.sh ($sh): outside tmux/screen nothing changes" "$old" \
		"$(prof $sh AGENTLINK_SOCK="$link")"
done
check "agentlink.sh: in screen without AGENTLINK_SOCK nothing changes (set -u)" "$old" \
	"$(prof dash STY=1.x)"
check "agentlink.sh: in screen with an empty AGENTLINK_SOCK nothing changes" "$old" \
	"$(prof bash STY=1.x AGENTLINK_SOCK=)"
