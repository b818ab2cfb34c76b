#!/bin/bash
# asan.t - the sanitizer builds (tests/build/asan: AddressSanitizer, LeakSanitizer
# and UndefinedBehaviorSanitizer, halting at the first report):
#   - every unit test and the module test that exist;
#   - the ASan-built module through the real libpam with the ASan-built
#     pamdrive: sessions that keep a live link, that start the watch
#     process, and that meet hostile files.
# Reports of every process (the watch's too: its stderr is /dev/null) go
# to log files, and any such file fails the test that produced it.
# Runs inside tests/lib/ns-run (private /tmp; root for the PAM sessions).
set -eu
if [ "${NS_RUN_INSIDE:-}" != 1 ]; then
	exec "$(dirname "$0")/../lib/ns-run" "$(cd "$(dirname "$0")" && pwd)/asan.t" "$@"
fi
A=tests/build/asan
[ -x $A/pam_agentlink.so ] || [ -e $A/pam_agentlink.so ] ||
	{ echo "1..0 # SKIP $A not built (make check-build)"; exit 0; }

logs=/run/asan-logs
# The watch writes its reports as alice.
mkdir -p -m 1777 $logs
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
n=0
failed=0

# check DESCRIPTION RC OUTPUT-FILE [EXTRA-CONDITION-STATUS]
report() {
	local what=$1 rc=$2 out=$3 extra=${4:-0} bad=0
	n=$((n + 1))
	if ls $logs/* >/dev/null 2>&1; then
		bad=1
	fi
	if [ "$rc" = 0 ] && [ "$bad" = 0 ] && [ "$extra" = 0 ]; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what (exit $rc)"
		failed=$((failed + 1))
		# The failures first: a long test's tail may not hold them.
		grep -A3 '^not ok' "$out" | sed 's/^/#   /'
		sed 's/^/#   /' "$out" | tail -30
		for f in $logs/*; do
			[ -e "$f" ] || continue
			echo "#   --- $f"; sed 's/^/#   /' "$f" | head -40
		done
	fi
	rm -f $logs/*
}

# Unit tests and the module test, as built with the sanitizers.
for t in $A/tests/unit/test_* $A/tests/module/test_module; do
	[ -x "$t" ] || continue
	rc=0
	args=()
	# The module test takes the module to load: the sanitizer build.
	[ "${t##*/}" = test_module ] && args=("$PWD/$A/pam_agentlink.so")
	"$t" ${args[@]+"${args[@]}"} >/run/out 2>&1 || rc=$?
	grep -q '^not ok' /run/out && rc=${rc/#0/1}
	report "$(basename "$t") under ASan+UBSan ($(grep -c '^ok' /run/out) passed)" $rc /run/out
done

# The module through libpam.
conf=/run/asan-conf
mkdir -p $conf
printf 'session optional %s/%s debug\nsession required pam_permit.so\n' \
	"$PWD" $A/pam_agentlink.so >$conf/sshd
drive() { $A/tests/tools/pamdrive -d $conf -s sshd -u alice "$@" >/run/out 2>&1; }
alice_gone() {
	local i
	for i in $(seq 1 500); do
		ps -u alice -o stat= | grep -qv '^Z' || return 0
		sleep 0.01
	done
	return 1
}

mkdir -m 0700 /tmp/ssh-asanasan01
chown alice:alice /tmp/ssh-asanasan01
mkfifo /run/hold
exec 7<>/run/hold
tests/tools/sockfix /tmp/ssh-asanasan01/agent.4242 4101 </run/hold >/run/sockfix.out &
fix=$!
for i in $(seq 1 500); do grep -q ready /run/sockfix.out && break; sleep 0.01; done

rc=0; drive cycle 200 || rc=$?
grep -qx 'cycle open: 200 x PAM_SUCCESS (Success)' /run/out; e=$?
[ "$(readlink /home/alice/.ssh/agent-labhost.sock)" = /tmp/ssh-asanasan01/agent.4242 ] || e=1
report "200 open/close cycles keeping a live link" $rc /run/out $e

kill -KILL $fix; wait $fix 2>/dev/null || true
w0=$(grep -c 'open: watching for the agent socket' "$NS_SYSLOG" || true)
rc=0; drive cycle 20 || rc=$?
alice_gone; e=$?
w1=$(grep -c 'open: watching for the agent socket' "$NS_SYSLOG" || true)
[ $((w1 - w0)) = 20 ] || { e=1; echo "watch started $((w1 - w0)) times" >>/run/out; }
report "20 open/close cycles that start the watch process (dead socket)" $rc /run/out $e

h=/home/alice/.ssh
rm -f $h/agent-labhost.sock; mkdir $h/agent-labhost.sock; chown alice: $h/agent-labhost.sock
rc=0; drive both || rc=$?
alice_gone; e=$?
tail -3 "$NS_SYSLOG" | grep -q 'is not a symbolic link; leaving it alone' || e=1
report "a directory at the link path (refused)" $rc /run/out $e

rm -rf $h; ln -s /etc $h
rc=0; drive both || rc=$?
alice_gone; e=$?
report "~/.ssh a symlink to /etc (refused)" $rc /run/out $e

rm -f $h; printf 'link=%%h/%0100d\n' 0 >/run/long.conf
printf 'session optional %s/%s conf=/run/long.conf\nsession required pam_permit.so\n' \
	"$PWD" $A/pam_agentlink.so >$conf/sshd
rc=0; drive both || rc=$?
report "a link template too long for a socket address (refused)" $rc /run/out

echo "1..$n"
[ $failed = 0 ]
