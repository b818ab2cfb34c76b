#!/bin/bash
# doctor.t - agentlink doctor against the real sshd, tmux and screen, run
# where a user runs it (in a tmux pane, a screen window, a plain shell):
#   - a broken setup: the module's line names a missing file, sshd_config
#     puts sockets where the module does not look, the link does not work
#     while a socket answers, tmux without the snippet (its global and its
#     session's environment, update-environment); each problem with what
#     fixes it, exit 1;
#   - no module line (one commented out), UsePAM and AllowAgentForwarding
#     off: each said, exit 1;
#   - the setup as documented, in tmux and in screen: no problem, exit 0;
#     in tmux the hooks are in effect and the session's link is accepted;
#   - a PAM stack the user cannot read: said, not taken for a problem;
#   - as root, sshd -T runs and doctor reads sshd's settings from it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent tmux screen setpriv ss
e2e_cmd_require

e2e_setup
e2e_pam "$E2E_MODULE"
e2e_sshd_start
e2e_admin_files
e2e_cmd_install
# As installed: in PATH, where the tmux snippet's hooks find it.
e2e_cmd_in_path
tap_plan 21

ready() { grep -q ready "$1" 2>/dev/null; }
link_live() { e2e_link_live; }
orig=$E2E_DIR/pam.d-sshd.orig
# has TEXT: the doctor's output (in $out) has a line starting with TEXT.
has() { grep -qF -- "$1" <<<"$out"; }
# problem TEXT FIX: a problem line holding TEXT, and right after it a fix
# line holding FIX.
problem() {
	awk -v p="$1" -v f="$2" '
		found && /^  fix:   / { if (index($0, f)) ok = 1; exit }
		/^problem / && index($0, p) { found = 1 }
		END { exit !ok }' <<<"$out"
}
sshd_config_without_service() { grep -v '^PAMServiceName' "$E2E_DIR/sshd_config"; }

# ---- broken, inside tmux ----
# The line names a module file that is not there (its options stay
# readable); sshd_config sends sockets to a place the module ignores.
{ cat "$orig"; echo "session optional /nonexistent/pam_agentlink.so ${E2E_MODULE_ARGS:-}"; } >/etc/pam.d/sshd
{ sshd_config_without_service; echo "AgentSocketPath shared:/srv/agents"; } >/etc/ssh/sshd_config
e2e_sshx A -A e2e "tmux new-session -d -s work -x 200 -y 50 && echo ready; exec sleep 600" \
	</dev/null >"$E2E_DIR/a.out" 2>&1 &
ca=$!
e2e_wait 10 ready "$E2E_DIR/a.out" || e2e_die "connection A did not start tmux: $(cat "$E2E_DIR/a.out")"
sa=$(e2e_agent_socks | head -1)
e2e_wait 5 link_live || true
as_alice ln -sfn /tmp/ssh-Gone000000/agent.1 "$E2E_LINK"
out=$(e2e_pane_run tmux "$E2E_CMD doctor")
tap_diag "$out"
tap_check "broken: doctor in a tmux pane exits 1" has "rc=1"
tap_check "broken: the missing module file, and to install it or correct the line" \
	problem "PAM: the module file /nonexistent/pam_agentlink.so is missing" "install the module"
tap_check "broken: sshd's AgentSocketPath the module does not cover, and the option that fixes it" \
	problem "sets AgentSocketPath shared:/srv/agents, which option agentsocketpath does not cover" \
	"add the value it names to agentsocketpath="
tap_check "broken: the link does not work while A's socket answers; agentlink relink fixes it" \
	problem "link: $E2E_LINK does not work, though an agent socket of yours answers" "agentlink relink"
tap_check "broken: the pane's SSH_AUTH_SOCK is A's own socket, not the link" \
	problem "shell: this shell runs in tmux and its SSH_AUTH_SOCK is $sa, not the link" \
	"export SSH_AUTH_SOCK=$E2E_LINK"
tap_check "broken: tmux's global environment gives new panes A's socket; the snippet fixes it" \
	problem "tmux: its global environment has SSH_AUTH_SOCK=$sa" "tmux source-file ~/.tmux.conf"
tap_check "broken: tmux's update-environment carries SSH_AUTH_SOCK" \
	problem "tmux: update-environment has SSH_AUTH_SOCK" "set-environment -g SSH_AUTH_SOCK $E2E_LINK"
tap_check "broken: the tmux session's own environment has A's socket too (update-environment put it there)" \
	problem "tmux: this session's environment has SSH_AUTH_SOCK=$sa" "tmux set-environment -u SSH_AUTH_SOCK"
tap_check "broken: it counts 7 problems" has "7 problems found"
as_alice tmux kill-server 2>/dev/null || true

# ---- no line, and sshd without PAM or forwarding ----
{ cat "$orig"; echo "#session optional pam_agentlink.so"; } >/etc/pam.d/sshd
n=$(wc -l </etc/pam.d/sshd)
{ echo "UsePAM no"; echo "AllowAgentForwarding no"; sshd_config_without_service; } >/etc/ssh/sshd_config
out=$(as_alice env -u SSH_AUTH_SOCK "$E2E_CMD" doctor 2>&1) && rc=0 || rc=$?
tap_diag "$out"
tap_check "no line: exit 1" test "$rc" = 1
tap_check "no line: the stack has no line for the module; the fix names the file and the commented-out one" \
	problem "PAM: sshd's stack (/etc/pam.d/sshd and what it includes) has no session line" \
	"it is commented out on /etc/pam.d/sshd:$n"
tap_check "UsePAM no and AllowAgentForwarding no are problems, each with its fix" \
	eval 'problem "UsePAM is no" "UsePAM yes" && problem "AllowAgentForwarding no" "remove"'

# ---- the setup as documented: tmux ----
e2e_admin_files
e2e_snippets
kill "$ca" 2>/dev/null || true
wait "$ca" 2>/dev/null || true
e2e_sshx B -A e2e "tmux new-session -d -s work -x 200 -y 50 && echo ready; exec sleep 600" \
	</dev/null >"$E2E_DIR/b.out" 2>&1 &
cb=$!
e2e_wait 10 ready "$E2E_DIR/b.out" || e2e_die "connection B did not start tmux: $(cat "$E2E_DIR/b.out")"
e2e_wait 5 link_live || true
# The session's link, made by the session-created hook a moment later.
slink=$E2E_LINK.tmux-$(as_alice tmux display-message -p -t work '#{pid}-#{session_id}' | tr -d '$')
e2e_wait 5 test -L "$slink" || true
out=$(e2e_pane_run tmux "$E2E_CMD doctor")
tap_diag "$out"
tap_check "documented setup, in tmux: no problem found, exit 0" \
	eval 'has "no problem found" && has "rc=0"'
good_lines() { has "ok       PAM: /etc/pam.d/sshd" && has "ok       sshd (/etc/ssh/sshd_config)" &&
	has "ok       link: $E2E_LINK -> " && has "ok       shell: SSH_AUTH_SOCK is the link" &&
	has "ok       tmux: new panes get SSH_AUTH_SOCK=$E2E_LINK"; }
tap_check "documented setup, in tmux: PAM, sshd, link, shell and tmux each ok" good_lines
tap_check "documented setup, in tmux: the hooks are in effect and keep the session's link" \
	eval 'has "ok       tmux: the hooks keep this session'"'"'s link: $slink -> " &&
	has "ok       tmux: new panes of this session get its link, $slink"'
as_alice tmux kill-server 2>/dev/null || true

# ---- the setup as documented: screen ----
e2e_sshx A -A e2e "screen -dmS work && echo ready; exec sleep 600" </dev/null >"$E2E_DIR/s.out" 2>&1 &
cs=$!
e2e_wait 10 ready "$E2E_DIR/s.out" || e2e_die "screen did not start: $(cat "$E2E_DIR/s.out")"
out=$(e2e_pane_run screen "$E2E_CMD doctor")
tap_diag "$out"
tap_check "documented setup, in screen: no problem found, exit 0" \
	eval 'has "no problem found" && has "rc=0"'
tap_check "documented setup, in screen: its configuration sets SSH_AUTH_SOCK" \
	has "ok       screen: its configuration sets SSH_AUTH_SOCK for new windows"
as_alice screen -S work -X quit 2>/dev/null || true

# ---- a PAM stack the user cannot read ----
chmod 0600 /etc/pam.d/sshd /etc/pam.d/sshd-agentlink
err=$(as_alice "$E2E_CMD" status 2>&1 >/dev/null) || true
tap_diag "status, stderr: $err"
tap_check "unreadable PAM stack: status says the line's options are not known and it uses agentlink.conf alone" \
	eval 'grep -q "agentlink: cannot read /etc/pam.d/sshd[-a-z]* (Permission denied): the options on the module.s PAM line are not known; using /etc/security/agentlink.conf alone" <<<"$err"'
out=$(as_alice "$E2E_CMD" doctor 2>&1) || true
tap_diag "$out"
tap_check "unreadable PAM stack: doctor notes that it cannot tell (a note, not a problem)" \
	eval 'has "note     PAM: cannot read /etc/pam.d/sshd" && ! has "problem  PAM"'
chmod 0644 /etc/pam.d/sshd /etc/pam.d/sshd-agentlink

# ---- sshd -T, where it runs ----
out=$(env -u SSH_AUTH_SOCK -u TMUX -u STY "$E2E_CMD" doctor 2>&1) || true
tap_diag "$out"
tap_check "as root, sshd -T runs: doctor reads UsePAM, forwarding and AgentSocketPath from it" \
	has "ok       sshd (/usr/sbin/sshd -T): UsePAM yes"

# ---- Include beyond the bounds ----
# 70 files one pattern matches: doctor reads 64 and notes the rest.
cp /etc/ssh/sshd_config "$E2E_DIR/sshd_config.kept"
mkdir -p /etc/ssh/many.d
for i in $(seq -w 1 70); do echo "# $i" >"/etc/ssh/many.d/$i.conf"; done
{ echo "Include /etc/ssh/many.d/*.conf"; cat "$E2E_DIR/sshd_config.kept"; } >/etc/ssh/sshd_config
out=$(as_alice env -u SSH_AUTH_SOCK "$E2E_CMD" doctor 2>&1) || true
tap_diag "$out"
tap_check "an Include matching 70 files: doctor notes that 6 were not read" \
	has "note     sshd: 6 of /etc/ssh/sshd_config's Include patterns or files are over the bounds"
cp "$E2E_DIR/sshd_config.kept" /etc/ssh/sshd_config

kill "$cb" "$cs" 2>/dev/null || true
wait "$cb" "$cs" 2>/dev/null || true
tap_exit
