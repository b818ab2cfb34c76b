#!/bin/bash
# valgrind.t - memcheck of the module (normal build) through the real
# libpam: pamdrive runs whole transactions in one process (pam_start,
# open, close, pam_end), so every allocation and descriptor of the module
# would pile up in it:
#   - VG_CYCLES (1000) cycles keeping a live link (the path of every
#     ordinary login once a link exists);
#   - cycles that start the watch process (no live socket), where the
#     forked processes are left out (--child-silent-after-fork: they end
#     in _exit, valgrind checks the parent);
#   - cycles through the refusal paths (hostile link path and directory).
# Each run: exit status of --error-exitcode (memory errors, definite or
# possible leaks), no block lost, "still reachable" not growing with the
# cycles, and --track-fds=yes showing no descriptor open but 0, 1 and 2.
set -eu
if [ "${NS_RUN_INSIDE:-}" != 1 ]; then
	exec "$(dirname "$0")/../lib/ns-run" "$(cd "$(dirname "$0")" && pwd)/valgrind.t" "$@"
fi
command -v valgrind >/dev/null || { echo "1..0 # SKIP valgrind is not installed"; exit 0; }
CYCLES=${VG_CYCLES:-1000}
conf=/run/vg-conf
mkdir -p $conf
printf 'session optional %s/tests/build/pam_agentlink.so debug\nsession required pam_permit.so\n' \
	"$PWD" >$conf/sshd
n=0
failed=0
H=/home/alice

# vg WHAT N LOGPATTERN [TIMES]: N cycles under valgrind; the module must
# have logged LOGPATTERN TIMES times (default N: once per cycle).
vg() {
	local what=$1 cycles=$2 pat=$3 times=${4:-$2} rc=0 bad="" before after fds std reach
	before=$(grep -c -- "$pat" "$NS_SYSLOG" || true)
	# Only 0, 1 and 2 reach valgrind: it reports every other descriptor.
	(
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null || true
		done
		exec valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
			--error-exitcode=99 --track-fds=yes --child-silent-after-fork=yes \
			--log-fd=2 tests/tools/pamdrive -d $conf -s sshd -u alice cycle "$cycles"
	) >/run/vg.out 2>/run/vg.log || rc=$?
	after=$(grep -c -- "$pat" "$NS_SYSLOG" || true)
	[ "$rc" = 0 ] || bad="$bad exit=$rc"
	grep -qx "cycle open: $cycles x PAM_SUCCESS (Success)" /run/vg.out || bad="$bad open-results"
	grep -q 'ERROR SUMMARY: 0 errors' /run/vg.log || bad="$bad memcheck-errors"
	grep -Eq 'definitely lost: 0 bytes' /run/vg.log &&
		grep -Eq 'indirectly lost: 0 bytes' /run/vg.log &&
		grep -Eq 'possibly lost: 0 bytes' /run/vg.log || {
		grep -q 'All heap blocks were freed' /run/vg.log || bad="$bad leaks"; }
	fds=$(sed -nE 's/.*FILE DESCRIPTORS: ([0-9]+) open \(([0-9]+) std\).*/\1/p' /run/vg.log)
	std=$(sed -nE 's/.*FILE DESCRIPTORS: ([0-9]+) open \(([0-9]+) std\).*/\2/p' /run/vg.log)
	[ -n "$fds" ] && [ "$fds" = "$std" ] || bad="$bad fds=$fds/$std"
	reach=$(sed -nE 's/.*still reachable: [0-9,]+ bytes in ([0-9,]+) blocks.*/\1/p' /run/vg.log)
	reach=${reach//,/}
	[ "${reach:-0}" -lt 100 ] || bad="$bad reachable-blocks=$reach"
	[ $((after - before)) = "$times" ] || bad="$bad logged-$((after - before))-times-not-$times"
	n=$((n + 1))
	if [ -z "$bad" ]; then
		echo "ok $n - $what: $cycles cycles, no memcheck error, nothing lost, no descriptor left"
	else
		echo "not ok $n - $what:$bad"
		failed=$((failed + 1))
		grep -v '^--' /run/vg.log | sed 's/^/#   /' | tail -60
	fi
	grep -E 'total heap usage|still reachable|FILE DESCRIPTORS' /run/vg.log | sed 's/^==[0-9]*== */# /'
}

alice_gone() {
	local i
	for i in $(seq 1 1000); do
		ps -u alice -o stat= | grep -qv '^Z' || return 0
		sleep 0.01
	done
	return 1
}

# A live forwarded socket, linked once.
mkdir -m 0700 /tmp/ssh-valgrind01; chown alice: /tmp/ssh-valgrind01
mkfifo /run/hold; exec 7<>/run/hold
tests/tools/sockfix /tmp/ssh-valgrind01/agent.4242 4101 </run/hold >/run/sockfix.out &
fix=$!
for i in $(seq 1 500); do grep -q ready /run/sockfix.out && break; sleep 0.01; done
tests/tools/pamdrive -d $conf -s sshd -u alice both >/run/setup.out || true
[ "$(readlink $H/.ssh/agent-labhost.sock)" = /tmp/ssh-valgrind01/agent.4242 ] ||
	{ echo "Bail out! the link to the live socket was not made"; exit 1; }

vg "keeping a live link" "$CYCLES" "open: kept $H/.ssh/agent-labhost.sock"

kill -KILL $fix; wait $fix 2>/dev/null || true
vg "starting the watch (dead socket)" 20 "open: watching for the agent socket"
alice_gone || echo "# alice's watch processes did not end"

rm -rf $H/.ssh/agent-labhost.sock; mkdir $H/.ssh/agent-labhost.sock
chown alice: $H/.ssh/agent-labhost.sock
# Refused at open and again at close.
vg "refusing a directory at the link path" 100 "exists and is not a symbolic link" 200

rm -rf $H/.ssh; ln -s /etc $H/.ssh
vg "refusing ~/.ssh as a symlink" 100 "is a symbolic link or not a directory" 200

echo "1..$n"
[ $failed = 0 ]
