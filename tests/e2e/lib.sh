# lib.sh - end-to-end helpers: Debian's real sshd, ssh, ssh-agent inside
# tests/lib/ns-run's private namespaces.  Source it from a bash script that
# already runs inside ns-run (NS_RUN_INSIDE=1); nothing here may touch the
# host, so every file lives under the private /run, /tmp or /home.
#
#   e2e_setup [x11=yes|no]     keys, sshd_config, client config, agents A+B
#   e2e_pam MODULE [ARG...]    /etc/pam.d/sshd-agentlink = Debian's sshd
#                              stack + "session optional MODULE ARG..."
#   e2e_pam_plain              the same stack without the module
#   e2e_sshd_start / _stop     the private sshd on 127.0.0.1:$E2E_PORT
#   e2e_ssh A|B [ssh args]     ssh to alice with agent A's or B's socket
#   e2e_wait SECS CMD...       poll CMD until it succeeds or SECS pass
#   e2e_link                   readlink of alice's link ("" if none)
#   e2e_sock_hangs SOCK        SOCK accepts and its agent never answers
#   e2e_conn_pids SOCK         sshd pids of the connection owning SOCK
#   e2e_client_sshd_pids PID   sshd pids serving the ssh client PID
#   e2e_watch_pids             agentlink-watch processes (alice's)
#   e2e_stray_sshd_pids        alice's processes running sshd outside a session
#   e2e_alice_pids             every process running as alice
#   e2e_admin_files            the stack and sshd_config where agentlink looks
#   e2e_cmd_install            agentlink(1) in $E2E_CMD, as alice may run it
#   e2e_cmd_in_path            ... and as "agentlink" in PATH (tmux's hooks)
#   e2e_profile_snippet        conf/agentlink.sh in /etc/profile.d (private)
#   e2e_overlay DIR...         a tmpfs overlay on each DIR: writes go to
#                              /run/ovl/<dir>/up (a private mount namespace)
#   e2e_json FILE EXPR         a Perl expression over the JSON in FILE ($j)
#   tap helpers: tap_plan N, tap_ok COND-STATUS NAME, tap_diag, tap_todo
#
# E2E_INSTALLED=1 (tests/install/source.t): the suite runs against what
# "make install" installed instead of the checkout's builds: the PAM line
# names the module as an admin writes it (pam_agentlink.so, found in
# libpam's directory), agentlink is the one in PATH, and
# /etc/profile.d/agentlink.sh is whatever install left there.
#
# shellcheck shell=bash

E2E_TOP=${NS_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
E2E_DIR=/run/agentlink-test/e2e
E2E_PORT=${E2E_PORT:-2222}
E2E_USER=alice
E2E_UID=4101
E2E_HOME=/home/alice
E2E_SSHD_LINK=/run/agentlink-test/sshd-agentlink
E2E_PAM=/etc/pam.d/sshd-agentlink
E2E_SSHD_LOG=$E2E_DIR/sshd.log
E2E_LINK=$E2E_HOME/.ssh/agent-labhost.sock
E2E_MODULE=$E2E_TOP/tests/build/pam_agentlink.so
[ "${E2E_INSTALLED:-}" != 1 ] || E2E_MODULE=pam_agentlink.so
E2E_SSHD_PID=
E2E_AGENT_PIDS=()

# ---- TAP ----
_tap_n=0
_tap_fail=0
tap_plan() { echo "1..$1"; }
tap_diag() { local l; while IFS= read -r l; do echo "# $l"; done <<<"$*"; }
# tap_ok STATUS NAME [TODO-REASON]: STATUS 0 is a pass.
tap_ok() {
	local st=$1 name=$2 todo=${3:-}
	_tap_n=$((_tap_n + 1))
	if [ "$st" = 0 ]; then
		echo "ok $_tap_n - $name${todo:+ # TODO $todo}"
	else
		echo "not ok $_tap_n - $name${todo:+ # TODO $todo}"
		[ -n "$todo" ] || _tap_fail=$((_tap_fail + 1))
	fi
}
# tap_check NAME CMD...: one test, passing when CMD succeeds (set -e safe).
tap_check() {
	local name=$1 st=0
	shift
	"$@" || st=$?
	tap_ok "$st" "$name"
}
tap_skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1 # SKIP $2"; }
tap_exit() { [ "$_tap_fail" = 0 ]; }

# e2e_require: a TAP skip plan (and exit) when a program is missing.
e2e_require() {
	local p
	for p in "$@"; do
		command -v "$p" >/dev/null 2>&1 || [ -x "$p" ] || {
			echo "1..0 # SKIP $p is not installed (tests/deps/e2e.list)"
			exit 0
		}
	done
	[ -f "$E2E_MODULE" ] || [ "${E2E_INSTALLED:-}" = 1 ] ||
		{ echo "1..0 # SKIP $E2E_MODULE not built"; exit 0; }
}
# as_alice CMD...: runs CMD as alice with her home, as a login would.
as_alice() {
	setpriv --reuid="$E2E_UID" --regid="$E2E_UID" --init-groups \
		env -i HOME="$E2E_HOME" USER="$E2E_USER" LOGNAME="$E2E_USER" \
		PATH=/usr/local/bin:/usr/bin:/bin SHELL=/bin/bash TERM=xterm \
		LANG=C.UTF-8 "$@"
}

e2e_die() { echo "Bail out! $*"; [ -f "$E2E_SSHD_LOG" ] && tail -20 "$E2E_SSHD_LOG" | sed 's/^/# sshd: /'; exit 1; }

# ---- waiting ----
# e2e_wait SECS CMD...: runs CMD every 20 ms until it succeeds (0) or SECS
# (may be fractional) have passed (1).
e2e_wait() {
	local secs=$1 deadline now
	shift
	deadline=$(($(date +%s%N) + $(awk "BEGIN{printf \"%.0f\", $secs*1000000000}")))
	while :; do
		"$@" && return 0
		now=$(date +%s%N)
		[ "$now" -lt "$deadline" ] || return 1
		sleep 0.02
	done
}
# Milliseconds since the epoch, for reporting times.
e2e_ms() { echo $(($(date +%s%N) / 1000000)); }

# ---- setup ----
e2e_setup() {
	local x11=${1:-no} k
	[ "${NS_RUN_INSIDE:-}" = 1 ] || e2e_die "lib.sh must run inside tests/lib/ns-run"
	for k in /usr/sbin/sshd ssh ssh-agent ssh-add ssh-keygen; do
		command -v "$k" >/dev/null || e2e_die "$k is not installed"
	done
	mkdir -p "$E2E_DIR"
	chmod 0755 "$E2E_DIR"
	# The clients run as root: give root a private home so that nothing
	# of ssh's (~/.ssh, known_hosts) or tmux's lands on the host.
	mount -t tmpfs -o mode=0700 nsroot /root
	export HOME=/root
	# screen's socket directory (systemd-tmpfiles makes it on a host).
	install -d -m 1777 /run/screen

	ssh-keygen -q -t ed25519 -N '' -C e2e-host -f "$E2E_DIR/ssh_host_ed25519_key"
	for k in A B; do
		ssh-keygen -q -t ed25519 -N '' -C "agent-$k-key" -f "$E2E_DIR/key$k"
	done
	install -d -m 0700 -o "$E2E_USER" -g "$E2E_USER" "$E2E_HOME/.ssh"
	cat "$E2E_DIR/keyA.pub" "$E2E_DIR/keyB.pub" >"$E2E_HOME/.ssh/authorized_keys"
	chown "$E2E_USER:$E2E_USER" "$E2E_HOME/.ssh/authorized_keys"
	chmod 0600 "$E2E_HOME/.ssh/authorized_keys"
	# Debian's default shell start-up prints nothing we need.
	: >"$E2E_HOME/.hushlogin"
	chown "$E2E_USER:$E2E_USER" "$E2E_HOME/.hushlogin"

	e2e_sshd_config "$x11"
	cat >"$E2E_DIR/ssh_config" <<-EOF
	Host e2e
	    HostName 127.0.0.1
	    Port $E2E_PORT
	    User $E2E_USER
	    StrictHostKeyChecking no
	    UserKnownHostsFile /dev/null
	    GlobalKnownHostsFile /dev/null
	    BatchMode yes
	    LogLevel ERROR
	    ConnectTimeout 5
	    ServerAliveInterval 0
	EOF
	ln -sf /usr/sbin/sshd "$E2E_SSHD_LINK"
	mkfifo "$E2E_HOLD"
	exec 7<>"$E2E_HOLD"
	e2e_agent A
	e2e_agent B
	trap e2e_cleanup EXIT
}

# e2e_sshd_config yes|no: (re)writes the private sshd_config.
e2e_sshd_config() {
	cat >"$E2E_DIR/sshd_config" <<-EOF
	Port $E2E_PORT
	ListenAddress 127.0.0.1
	HostKey $E2E_DIR/ssh_host_ed25519_key
	PidFile /run/agentlink-test/sshd.pid
	UsePAM yes
	PubkeyAuthentication yes
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	AuthorizedKeysFile .ssh/authorized_keys
	AllowAgentForwarding yes
	AllowTcpForwarding yes
	X11Forwarding ${1:-no}
	X11UseLocalhost yes
	XAuthLocation /usr/bin/xauth
	PrintMotd no
	PrintLastLog no
	StrictModes yes
	LogLevel VERBOSE
	MaxSessions 10
	MaxStartups 100
	EOF
	# OpenSSH 9.8 and later authenticate in sshd-session, which opens the
	# PAM service "sshd" whatever sshd's argv[0]: name the suite's stack.
	if /usr/sbin/sshd -G -f /dev/null -o PAMServiceName=sshd-agentlink >/dev/null 2>&1; then
		echo "PAMServiceName sshd-agentlink" >>"$E2E_DIR/sshd_config"
	fi
	# Hook: extra lines, e.g. "AgentSocketPath shared:/tmp" (tests/distro).
	[ -z "${E2E_SSHD_EXTRA:-}" ] || printf '%s\n' "$E2E_SSHD_EXTRA" >>"$E2E_DIR/sshd_config"
}

# e2e_agent NAME: a real ssh-agent holding keyNAME, socket agentNAME.sock.
e2e_agent() {
	local n=$1 sock="$E2E_DIR/agent$1.sock" out pid
	out=$(ssh-agent -s -a "$sock") || e2e_die "ssh-agent $n did not start"
	pid=$(sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p' <<<"$out")
	E2E_AGENT_PIDS+=("$pid")
	SSH_AUTH_SOCK=$sock ssh-add -q "$E2E_DIR/key$n" 2>/dev/null ||
		e2e_die "ssh-add to agent $n failed"
}
e2e_agent_sock() { echo "$E2E_DIR/agent$1.sock"; }
# The fingerprint of keyNAME as ssh-add -l prints it.
e2e_fp() { ssh-keygen -lf "$E2E_DIR/key$1.pub" | awk '{print $2}'; }

# ---- PAM ----
_e2e_pam_base() {
	# Debian's own stack, as it was before e2e_admin_files wrote over it.
	if [ -f "$E2E_DIR/pam.d-sshd.orig" ]; then cat "$E2E_DIR/pam.d-sshd.orig"; return; fi
	[ -f /etc/pam.d/sshd ] || e2e_die "/etc/pam.d/sshd missing (openssh-server)"
	# Debian's own stack: a copy of it (the private /etc/pam.d is ours).
	cat /etc/pam.d/sshd
}
# e2e_pam MODULE [ARG...]: the stack with the module as an admin adds it.
e2e_pam() {
	local mod=$1 extra=()
	shift
	# Hook: extra arguments for this module, e.g. "agentsocketpath=shared:/tmp".
	read -ra extra <<<"${E2E_MODULE_ARGS:-}"
	case $mod in "$E2E_MODULE" | pam_agentlink.so | */pam_agentlink.so) set -- "$@" "${extra[@]}" ;; esac
	{ _e2e_pam_base; echo "session    optional     $mod${*:+ $*}"; } >"$E2E_PAM"
}
e2e_pam_plain() { _e2e_pam_base >"$E2E_PAM"; }

# ---- sshd ----
_e2e_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$E2E_PORT") 2>/dev/null; }
e2e_sshd_start() {
	[ -f "$E2E_PAM" ] || e2e_pam "$E2E_MODULE"
	: >>"$E2E_SSHD_LOG"
	"$E2E_SSHD_LINK" -t -f "$E2E_DIR/sshd_config" 2>"$E2E_DIR/sshd-t.err" ||
		e2e_die "sshd -t: $(cat "$E2E_DIR/sshd-t.err")"
	"$E2E_SSHD_LINK" -D -f "$E2E_DIR/sshd_config" -E "$E2E_SSHD_LOG" &
	E2E_SSHD_PID=$!
	e2e_wait 10 _e2e_port_open || e2e_die "sshd does not listen on port $E2E_PORT"
}
e2e_sshd_stop() {
	[ -n "$E2E_SSHD_PID" ] || return 0
	kill "$E2E_SSHD_PID" 2>/dev/null || true
	wait "$E2E_SSHD_PID" 2>/dev/null || true
	E2E_SSHD_PID=
}
e2e_sshd_restart() { e2e_sshd_stop; e2e_sshd_start; }

e2e_cleanup() {
	local p
	e2e_sshd_stop
	for p in "${E2E_AGENT_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
}

# ---- clients ----
# e2e_ssh A|B [ssh args...]: ssh to alice@127.0.0.1 offering (and, with
# -A, forwarding) agent A's or B's keys.
e2e_ssh() {
	local a=$1
	shift
	SSH_AUTH_SOCK=$(e2e_agent_sock "$a") ssh -F "$E2E_DIR/ssh_config" "$@"
}
# e2e_sshx: e2e_ssh that execs ssh, for "e2e_sshx A ... &": then $! is the
# client's pid and killing it ends the connection.
e2e_sshx() {
	local a=$1
	shift
	export SSH_AUTH_SOCK
	SSH_AUTH_SOCK=$(e2e_agent_sock "$a")
	exec ssh -F "$E2E_DIR/ssh_config" "$@"
}
# A FIFO that never reaches end of file (the test holds it open): stdin for
# clients whose remote command must run until the client goes away.
E2E_HOLD=$E2E_DIR/hold

# ---- panes ----
# e2e_pane_run tmux|screen [CMD]: runs CMD (default "ssh-add -l") in the
# pane of alice's multiplexer session "work" (tmux: the target $E2E_PANE
# when set), prints what it printed there and its exit status (rc=N).
e2e_pane_run() {
	local out=$E2E_HOME/.pane.out cmd=${2:-ssh-add -l}
	rm -f "$out"
	cmd="$cmd >~/.pane.tmp 2>&1; echo rc=\$? >>~/.pane.tmp; mv ~/.pane.tmp $out"
	case $1 in
	tmux) as_alice tmux send-keys -t "${E2E_PANE:-work}" "$cmd" Enter ;;
	screen) as_alice screen -S work -X stuff "$cmd"$'\n' ;;
	esac
	e2e_wait 10 test -f "$out" || { echo "pane did not run the command"; return 0; }
	cat "$out"
}
# e2e_snippets: alice's ~/.tmux.conf and ~/.screenrc are exactly the
# snippets the project ships.
e2e_snippets() {
	cp "$E2E_TOP/conf/tmux.conf" "$E2E_HOME/.tmux.conf"
	cp "$E2E_TOP/conf/screenrc" "$E2E_HOME/.screenrc"
	chown "$E2E_USER:$E2E_USER" "$E2E_HOME/.tmux.conf" "$E2E_HOME/.screenrc"
}

# ---- the link and the processes ----
e2e_link() { readlink "${1:-$E2E_LINK}" 2>/dev/null || true; }
# Is SOCK a listening socket (a forwarded agent that answers)?
e2e_sock_live() {
	[ -S "$1" ] && SSH_AUTH_SOCK=$1 timeout 5 ssh-add -l >/dev/null 2>&1
	local r=$?
	# ssh-add -l: 0 keys listed, 1 no keys/failure, 2 cannot connect.
	[ $r = 0 ] || [ $r = 1 ]
}
# Does SOCK accept and never answer (ssh-add -l gets no answer in 2 s)?
e2e_sock_hangs() { local r=0; SSH_AUTH_SOCK=$1 timeout 2 ssh-add -l >/dev/null 2>&1 || r=$?; [ $r = 124 ]; }
e2e_link_live() { local t; t=$(e2e_link); [ -n "$t" ] && e2e_sock_live "$t"; }
# The name of a forwarded agent socket in any of sshd's layouts:
# agent.<pid> (up to 10.0), agent.sshd.<pid> (10.6 shared:),
# s.<hash>.sshd.[<pid>.]<random> (10.1 and later, user:).
E2E_SOCK_NAME_RE='^(agent\.(sshd\.)?[1-9][0-9]*|s\.[A-Za-z0-9]{10}\.sshd\.([1-9][0-9]*\.)?[A-Za-z0-9]{10})$'
e2e_is_agent_path() { [[ ${1##*/} =~ $E2E_SOCK_NAME_RE ]]; }
# All forwarded agent sockets of alice, wherever sshd put them: in /tmp
# (/tmp/ssh-*/, or a user: directory such as /tmp/agents-alice) or in
# ~/.ssh/agent.
e2e_agent_socks() {
	local p
	{
		find /tmp -mindepth 2 -maxdepth 2 -type s -user "$E2E_USER"
		find "$E2E_HOME/.ssh/agent" -mindepth 1 -maxdepth 1 -type s
	} 2>/dev/null | while IFS= read -r p; do
		e2e_is_agent_path "$p" && echo "$p"
	done | sort
}
# The pid a socket's name carries (the connection's unprivileged sshd
# process), or nothing.
e2e_sock_pid() {
	local n=${1##*/}
	case $n in
	agent.sshd.*) echo "${n#agent.sshd.}" ;;
	agent.*) echo "${n#agent.}" ;;
	s.*.sshd.*.*) n=${n#s.*.sshd.}; echo "${n%%.*}" ;;
	esac
}
# e2e_conn_pids SOCK: the sshd processes of the connection that owns the
# socket: the pid in its name (the user's child) and its parent (the
# [priv] monitor).
e2e_conn_pids() {
	local pid ppid
	pid=$(e2e_sock_pid "$1")
	[ -n "$pid" ] && [ -d "/proc/$pid" ] || return 0
	ppid=$(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null) || true
	echo "$pid"
	[ -n "$ppid" ] && [ "$ppid" != 1 ] && [ "$ppid" != "$E2E_SSHD_PID" ] && echo "$ppid"
	return 0
}
# e2e_client_sshd_pids CLIENTPID: the sshd processes holding the server end
# of the TCP connection the ssh client CLIENTPID holds.
e2e_client_sshd_pids() {
	local lport
	lport=$(ss -Htnp state established "( dport = :$E2E_PORT )" 2>/dev/null |
		awk -v p="pid=$1," 'index($0, p) { n = split($3, a, ":"); print a[n]; exit }')
	[ -n "$lport" ] || return 0
	ss -Htnp state established "( sport = :$E2E_PORT and dport = :$lport )" 2>/dev/null |
		grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -un
}
# TCP connections to sshd's port that are not yet closed (either end).
e2e_tcp_conns() {
	ss -Htn "( sport = :$E2E_PORT or dport = :$E2E_PORT )" 2>/dev/null |
		grep -v '^LISTEN' | grep -v TIME-WAIT || true
}
# Processes (not zombies) with real uid alice.
e2e_alice_pids() {
	ps -eo pid=,ruid=,stat= | awk -v u="$E2E_UID" '$2 == u && $3 !~ /^Z/ { print $1 }'
}
# The watch: alice's agentlink-watch processes (the helper the module
# execs; never a process running sshd's own binary).
e2e_watch_pids() {
	ps -eo pid=,ruid=,stat=,comm= | awk -v u="$E2E_UID" \
		'$2 == u && $3 !~ /^Z/ && $4 == "agentlink-watch" { print $1 }'
}
# Processes of alice that run sshd's binary but are no process of an sshd
# session (whose parent is an sshd process, or the listener): a fork of
# sshd's monitor left running as the user would be one.
e2e_stray_sshd_pids() {
	ps -eo pid=,ppid=,ruid=,stat=,comm= | awk -v u="$E2E_UID" '
		{ pid[NR] = $1; pp[NR] = $2; uid[NR] = $3; st[NR] = $4; comm[$1] = $5 }
		END {
			for (i = 1; i <= NR; i++)
				if (uid[i] == u && st[i] !~ /^Z/ && comm[pid[i]] ~ /^sshd/ &&
				    comm[pp[i]] !~ /^sshd/)
					print pid[i]
		}'
}
# Processes of sshd other than the listener itself.
e2e_sshd_children() {
	local p
	for p in $(pgrep -f '^sshd: ' 2>/dev/null); do
		[ "$p" = "$E2E_SSHD_PID" ] || echo "$p"
	done
	return 0
}
e2e_ps() { ps -eo pid,ppid,uid,stat,args 2>/dev/null | sed 's/^/# ps: /'; }
# Lines the module logged through syslog.
e2e_syslog() { grep 'pam_agentlink' "$NS_SYSLOG" 2>/dev/null || true; }

# ---- agentlink(1) ----
E2E_CMD=/run/agentlink-test/bin/agentlink
# e2e_cmd_require: a TAP skip plan (and exit) when agentlink is not built
# (installed, with E2E_INSTALLED=1).
e2e_cmd_require() {
	if [ "${E2E_INSTALLED:-}" = 1 ]; then
		as_alice sh -c 'command -v agentlink' >/dev/null ||
			{ echo "1..0 # SKIP agentlink is not installed in alice's PATH"; exit 0; }
		return 0
	fi
	[ -x "$E2E_TOP/pam_agentlink/cmd/agentlink" ] || { echo "1..0 # SKIP $E2E_TOP/pam_agentlink/cmd/agentlink not built (make)"; exit 0; }
}
# e2e_cmd_install: the command where alice can run it, whatever the
# permissions on the way to the checkout (root's, 0755, as installed);
# with E2E_INSTALLED=1 the installed one, as alice finds it.
e2e_cmd_install() {
	if [ "${E2E_INSTALLED:-}" = 1 ]; then
		E2E_CMD=$(as_alice sh -c 'command -v agentlink') || e2e_die "agentlink is not installed"
		return 0
	fi
	install -d -m 0755 "${E2E_CMD%/*}"
	install -m 0755 "$E2E_TOP/pam_agentlink/cmd/agentlink" "$E2E_CMD"
}
# e2e_cmd_in_path: agentlink in /usr/local/bin, which is in sshd's and
# tmux's PATH, as the package puts it in /usr/bin: a private copy of the
# directory over it (this mount namespace only).  With E2E_INSTALLED=1
# the installed one is there already.
e2e_cmd_in_path() {
	local d=$E2E_DIR/usr-local-bin
	[ "${E2E_INSTALLED:-}" != 1 ] || return 0
	mkdir -p "$d"
	cp -a /usr/local/bin/. "$d/" 2>/dev/null || true
	install -m 0755 "$E2E_TOP/pam_agentlink/cmd/agentlink" "$d/agentlink"
	mount --bind "$d" /usr/local/bin
}
# e2e_profile_snippet: /etc/profile.d/agentlink.sh is conf/agentlink.sh,
# as the package installs it, for alice's login shells (tmux's panes).
# With E2E_INSTALLED=1 it is what make install put there (or nothing).
e2e_profile_snippet() {
	local d=$E2E_DIR/profile.d
	[ "${E2E_INSTALLED:-}" != 1 ] || return 0
	mkdir -p "$d"
	cp -a /etc/profile.d/. "$d/" 2>/dev/null || true
	install -m 0644 "$E2E_TOP/conf/agentlink.sh" "$d/agentlink.sh"
	mount --bind "$d" /etc/profile.d
}
# e2e_overlay DIR...: every write below each DIR lands in an overlay's
# upper directory, /run/ovl/_usr/up for /usr, on /run (a tmpfs of this
# mount namespace, which the caller must have made private).  A DIR that
# is a symbolic link (/lib on a merged /usr) is skipped: its target is.
e2e_overlay() {
	local d o
	for d in "$@"; do
		[ -d "$d" ] && [ ! -L "$d" ] || continue
		o=/run/ovl/$(echo "$d" | tr / _)
		mkdir -p "$o/up" "$o/work"
		mount -t overlay overlay -o "lowerdir=$d,upperdir=$o/up,workdir=$o/work" "$d"
	done
}
# e2e_admin_files: the PAM stack with the module's line and the suite's
# sshd_config where an administrator keeps them (/etc/pam.d/sshd,
# /etc/ssh/sshd_config: ns-run's private copies), which is where
# agentlink reads the module's options and sshd's settings.
e2e_admin_files() {
	[ -f "$E2E_DIR/pam.d-sshd.orig" ] || cp /etc/pam.d/sshd "$E2E_DIR/pam.d-sshd.orig"
	cp "$E2E_PAM" /etc/pam.d/sshd
	cp "$E2E_DIR/sshd_config" /etc/ssh/sshd_config
}
# e2e_json FILE EXPR: prints Perl expression EXPR evaluated with $j the
# JSON document in FILE: true/false for booleans, null for undef,
# compact JSON for arrays and objects.
e2e_json() {
	perl -MJSON::PP -e '
		open my $f, "<", $ARGV[0] or die "$ARGV[0]: $!\n";
		my $j = decode_json(do { local $/; <$f> });
		my $r = eval $ARGV[1];
		die $@ if $@;
		print !defined $r ? "null" : JSON::PP::is_bool($r) ? ($r ? "true" : "false") :
		    ref $r ? JSON::PP->new->canonical->encode($r) : $r;' "$1" "$2"
}
