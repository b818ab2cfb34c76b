#!/bin/bash
# tmux.t - per-session links that follow the attached client (issue 15,
# item 2), with the real sshd, ssh, ssh-agent and tmux, the shipped
# conf/tmux.conf (hooks) and conf/agentlink.sh (in /etc/profile.d):
#   - clients with agents A and B attached (under a pty, ssh -tt) to
#     sessions "one" and "two" at once: each session's first pane, and a
#     new window, list their own client's key;
#   - a client of agent B also attaches to "one": it follows the newest;
#   - input from A's client (client-active): "one" follows A again;
#   - A's client detaches: "one" follows B's;
#   - agentlink status (text and --json) in the two-client state, and
#     doctor in a pane;
#   - a session closed: its link is gone; a killed server: its links go
#     at the next sync.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent tmux script setpriv ss perl
e2e_cmd_require

e2e_setup
e2e_pam "$E2E_MODULE"
e2e_sshd_start
e2e_admin_files
e2e_cmd_install
e2e_cmd_in_path
e2e_profile_snippet
e2e_snippets
tap_plan 21
fpA=$(e2e_fp A)
fpB=$(e2e_fp B)
tmux_sock=/tmp/tmux-$E2E_UID/default
tm() { as_alice tmux -S "$tmux_sock" "$@"; }
new_sock() { e2e_agent_socks | grep -vxF -f <(printf '%s\n' "$@") | head -1; }

# client NAME AGENT REMOTE-COMMAND: an ssh -tt client under its own pty
# (script), running a tmux client on the server; keys written to fd
# NAME's FIFO reach it as typed.  Its script's pid in $E2E_DIR/NAME.pid.
client() {
	local name=$1 agent=$2 fifo=$E2E_DIR/$1.in
	mkfifo "$fifo"
	# Held open read-write, so script never sees the end of its input.
	exec {fd}<>"$fifo"
	eval "fd_$name=$fd"
	SSH_AUTH_SOCK=$(e2e_agent_sock "$agent") TERM=xterm script -qfc \
		"ssh -F $E2E_DIR/ssh_config -A -tt e2e '$3'" /dev/null \
		<"$fifo" >"$E2E_DIR/$name.tty" 2>&1 &
	echo $! >"$E2E_DIR/$name.pid"
}
type_in() { local fd; eval "fd=\$fd_$1"; printf '%b' "$2" >&"$fd"; }
session_id() { tm display-message -p -t "$1" '#{session_id}' 2>/dev/null | tr -d '$'; }
server_pid() { tm display-message -p '#{pid}' 2>/dev/null; }
attached() { [ "$(tm list-clients -t "$1" -F x 2>/dev/null | wc -l)" = "$2" ]; }
slink() { echo "$E2E_LINK.tmux-$(server_pid)-$(session_id "$1")"; }
points() { [ "$(readlink "$1" 2>/dev/null)" = "$2" ]; }
# pane TARGET CMD: what CMD printed in that pane.
pane() { E2E_PANE=$1 e2e_pane_run tmux "$2"; }
lists() { grep -qF "$2" <<<"$(pane "$1" 'ssh-add -l')"; }

# ---- two clients, two sessions ----
client a A 'tmux new-session -s one'
e2e_wait 10 attached one 1 || e2e_die "client A did not attach: $(cat "$E2E_DIR/a.tty")"
sA=$(e2e_agent_socks | head -1)
client b B 'tmux new-session -s two'
e2e_wait 10 attached two 1 || e2e_die "client B did not attach: $(cat "$E2E_DIR/b.tty")"
sB=$(new_sock "$sA")
one=$(slink one)
two=$(slink two)
tap_diag "A's socket $sA, B's $sB; session links $one, $two"
e2e_wait 5 points "$one" "$sA" || true
e2e_wait 5 points "$two" "$sB" || true
tap_check "session one's link points at A's socket, session two's at B's" \
	eval 'points "$one" "$sA" && points "$two" "$sB"'
tap_check "the host link is untouched by them (still a link to a live socket)" e2e_link_live

out=$(pane one '{ echo "sock=$SSH_AUTH_SOCK"; ssh-add -l; }')
tap_diag "one, first pane: $out"
tap_check "session one's first pane: SSH_AUTH_SOCK is its link (profile snippet) and it lists A's key" \
	eval 'grep -qxF "sock=$one" <<<"$out" && grep -qF "$fpA" <<<"$out" && ! grep -qF "$fpB" <<<"$out"'
out=$(pane two '{ echo "sock=$SSH_AUTH_SOCK"; ssh-add -l; }')
tap_diag "two, first pane: $out"
tap_check "session two's first pane: its link, and B's key" \
	eval 'grep -qxF "sock=$two" <<<"$out" && grep -qF "$fpB" <<<"$out" && ! grep -qF "$fpA" <<<"$out"'
tap_check "session one's environment has SSH_AUTH_SOCK = its link (set-environment)" \
	test "$(tm show-environment -t one SSH_AUTH_SOCK)" = "SSH_AUTH_SOCK=$one"
# A new window runs a plain shell (no profile) with a command: the
# session's environment alone gives it the link.
tm new-window -d -t one: '{ echo "sock=$SSH_AUTH_SOCK"; ssh-add -l; } >~/.win.tmp 2>&1; mv ~/.win.tmp ~/.win.out; exec sleep 600'
e2e_wait 10 test -s "$E2E_HOME/.win.out" || true
tap_diag "one, new window (sh -c, no profile): $(cat "$E2E_HOME/.win.out" 2>/dev/null)"
tap_check "a new window of session one: its link, and A's key" \
	eval 'grep -qxF "sock=$one" "$E2E_HOME/.win.out" && grep -qF "$fpA" "$E2E_HOME/.win.out"'

# ---- agentlink status in the two-client state ----
stout=$(as_alice "$E2E_CMD" status 2>&1) || true
tap_diag "agentlink status:"
tap_diag "$stout"
as_alice "$E2E_CMD" status --json >"$E2E_DIR/st.json" 2>/dev/null || true
tap_diag "agentlink status --json:"
tap_diag "$(cat "$E2E_DIR/st.json")"
j() { e2e_json "$E2E_DIR/st.json" "$1"; }
tl() { j "(grep { \$_->{path} eq '$1' } @{\$j->{tmux}})[0]{$2}"; }
tap_check "status lists both session links with their targets" \
	eval 'grep -qF "tmux:    $one -> $sA" <<<"$stout" && grep -qF "tmux:    $two -> $sB" <<<"$stout"'
tap_check "status --json: both links, their targets, sessions, server running" \
	eval '[ "$(j "scalar @{\$j->{tmux}}")" = 2 ] && [ "$(tl "$one" target)" = "$sA" ] &&
	[ "$(tl "$two" target)" = "$sB" ] && [ "$(tl "$one" session_id)" = "\$$(session_id one)" ] &&
	[ "$(tl "$one" server_running)" = true ] && [ "$(tl "$two" target_state)" = answering ]'

out=$(pane one "$E2E_CMD doctor")
tap_diag "doctor in one's first pane: $out"
tap_check "doctor in a pane of one: its SSH_AUTH_SOCK (the session's link) and the hooks are ok, no problem" \
	eval 'grep -qF "ok       shell: SSH_AUTH_SOCK is this tmux session'"'"'s link" <<<"$out" &&
	grep -qF "ok       tmux: the hooks keep this session'"'"'s link: $one -> $sA" <<<"$out" &&
	grep -q "^rc=0" <<<"$out"'

# ---- a client of B's attaches to "one" too: the newest attach wins ----
client b2 B 'tmux attach-session -t one'
e2e_wait 10 attached one 2 || e2e_die "client B2 did not attach: $(cat "$E2E_DIR/b2.tty")"
sB2=$(new_sock "$sA" "$sB")
e2e_wait 5 points "$one" "$sB2" || true
tap_diag "B2's socket $sB2; one -> $(readlink "$one")"
tap_check "B's second client attaches to one: one's link follows it" points "$one" "$sB2"
tap_check "... and one's pane lists B's key" lists one "$fpB"

# ---- client-active: input from A's client ----
# tmux keeps client_activity in whole seconds: A's keys come in a later
# second than B2's attach, so that the newest is not a tie.
act=$(tm list-clients -t one -F '#{client_activity}' | sort -n | tail -1)
later() { [ "$(date +%s)" -gt "$act" ]; }
e2e_wait 3 later || true
type_in a '\025'	# C-u: the pane's shell erases an empty line
e2e_wait 5 points "$one" "$sA" || true
tap_diag "after a key from A's client: one -> $(readlink "$one")"
tap_check "client-active: a key typed in A's client moves one's link back to A" points "$one" "$sA"
tap_check "... and one's pane lists A's key" lists one "$fpA"

# ---- A's client detaches ----
type_in a '\002d'	# C-b d
e2e_wait 10 attached one 1 || true
e2e_wait 5 points "$one" "$sB2" || true
tap_diag "after A detached: one -> $(readlink "$one"); clients: $(tm list-clients -F '#{client_pid} #{session_name}' | tr '\n' ' ')"
tap_check "A's client detaches: one's link goes to B's client still attached" points "$one" "$sB2"
tap_check "... and one's pane now lists B's key" lists one "$fpB"
tap_check "two is unchanged (B's first client)" points "$two" "$sB"

# ---- a session closes ----
tm kill-session -t two
gone() { [ ! -e "$1" ] && [ ! -L "$1" ]; }
e2e_wait 5 gone "$two" || true
tap_check "session two killed: its link is gone (session-closed)" gone "$two"

# ---- another user cannot hold the syncs up ----
# ~/.ssh at 0755 (sshd's StrictModes allows it): bob can open it and
# flock it.  The syncs lock a 0600 file of alice's, so his lock holds
# nothing up; on the directory it made each sync wait its 5 s and fail.
home_mode=$(stat -c %a "$E2E_HOME"); ssh_mode=$(stat -c %a "$E2E_HOME/.ssh")
chmod 0755 "$E2E_HOME" "$E2E_HOME/.ssh"
setpriv --reuid=bob --regid=bob --clear-groups \
	flock -x "$E2E_HOME/.ssh" sleep 600 </dev/null >/dev/null 2>&1 &
bob_lock=$!
held() { [ "$(awk '$6 ~ /:/ { n++ } END { print n + 0 }' /proc/locks)" -gt 0 ]; }
e2e_wait 5 held || true
out=$(as_alice "$E2E_CMD" tmux "$tmux_sock" 2>&1) && rc=0 || rc=$?
tap_diag "agentlink tmux while bob holds a lock on ~/.ssh (exit $rc): $out"
tap_check "bob's lock on alice's ~/.ssh does not hold a sync up" eval '[ "$rc" = 0 ]'
kill "$bob_lock" 2>/dev/null || true
pkill -u bob 2>/dev/null || true
chmod "$home_mode" "$E2E_HOME"; chmod "$ssh_mode" "$E2E_HOME/.ssh"

# ---- a killed server ----
as_alice env AGENTLINK_SOCK="$E2E_LINK" tmux -L other new-session -d -s x
opid=$(as_alice tmux -L other display-message -p '#{pid}')
olink=$E2E_LINK.tmux-$opid-$(as_alice tmux -L other display-message -p -t x '#{session_id}' | tr -d '$')
e2e_wait 5 points "$olink" "$E2E_LINK" || true
tap_check "a session with no client attached: its link points at the host link" \
	points "$olink" "$E2E_LINK"
kill -KILL "$opid"
e2e_wait 5 eval '! kill -0 "$opid" 2>/dev/null' || true
out=$(as_alice "$E2E_CMD" tmux "$tmux_sock" 2>&1) && rc=0 || rc=$?
tap_diag "agentlink tmux after the other server was killed (exit $rc): $out"
tap_check "the next sync removes the killed server's link, and keeps one's" \
	eval 'gone "$olink" && points "$one" "$sB2" && [ "$rc" = 0 ]'

# ---- a connection ends and no sync follows: close_session ----
# The hooks gone (as when agentlink is not in tmux's PATH), B2's
# connection ends: sshd removes its socket's directory, and the module's
# close_session puts one's link, which pointed into it, back on the host
# link, where no other user can make the path again.
for h in client-attached client-detached client-session-changed client-active \
	session-created session-closed; do tm set-hook -gu "$h[77]"; done
kill "$(cat "$E2E_DIR/b2.pid")" 2>/dev/null || true
e2e_wait 10 points "$one" "$E2E_LINK" || true
tap_diag "after B2's connection ended, with no hooks: one -> $(readlink "$one")"
tap_check "a connection ends with no sync to follow: close_session points its session's link at the host link" \
	points "$one" "$E2E_LINK"

for p in a b b2; do kill "$(cat "$E2E_DIR/$p.pid")" 2>/dev/null || true; done
tm kill-server 2>/dev/null || true
tap_exit
