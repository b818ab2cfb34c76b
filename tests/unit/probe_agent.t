#!/bin/bash
# probe_agent.t - tests/tools/agentprobe (al_agent_query) against a real
# OpenSSH ssh-agent in debug mode, which logs every request it handles on
# standard error:
#
#   debug1: process_message: socket 1 (fd=4) type 27
#   debug2: process_extension: entering
#   debug1: process_extension: unsupported extension "query"
#
# (type 11 with process_request_identities for a key list, type 13 with
# process_sign_request2 for a signature).  The probe must show up as one
# type 27 and nothing else; ssh-add -l and ssh-keygen -Y sign against the
# same agent show that the patterns do catch a key list and a signature.
# A stopped agent stands in for a sleeping laptop.  Root or not; needs
# ssh-agent, ssh-add and ssh-keygen (tests/deps/e2e.list).
#
# shellcheck shell=bash
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
probe=$top/tests/tools/agentprobe

for p in ssh-agent ssh-add ssh-keygen; do
	command -v "$p" >/dev/null 2>&1 || {
		echo "1..0 # SKIP $p is not installed (tests/deps/e2e.list)"
		exit 0
	}
done
if [ ! -x "$probe" ]; then
	echo "1..1"
	echo "not ok 1 - $probe is built (make check-build)"
	exit 1
fi

_n=0
_fail=0
# ok STATUS NAME: STATUS 0 is a pass.
ok() {
	_n=$((_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_fail=$((_fail + 1))
	fi
}
diag() { sed 's/^/# /'; }
check() { local name=$1 st=0; shift; "$@" || st=$?; ok "$st" "$name"; }

dir=$(mktemp -d /tmp/probe_agent.XXXXXX) || exit 1
sock=$dir/agent.sock
log=$dir/agent.log
agent=
cleanup() {
	[ -z "$agent" ] || kill -KILL "$agent" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
# wait_for MS CMD...: runs CMD every 20 ms until it succeeds or MS pass.
wait_for() {
	local end=$(($(now_ms) + $1))
	shift
	until "$@"; do
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.02
	done
}
# The agent's log after line MARK (OpenSSH ends its stderr lines in \r\n).
log_after() { tail -n "+$(($1 + 1))" "$log" | tr -d '\r'; }
log_lines() { wc -l <"$log"; }
# logged_after MARK ERE: the log after MARK has a line matching ERE.
logged_after() { log_after "$1" | grep -Eq "$2"; }
# The request types ssh-agent handled after MARK, in order, on one line.
types_after() {
	log_after "$1" | sed -n 's/.*process_message: .* type \([0-9]*\)$/\1/p' |
		tr '\n' ' ' | sed 's/ $//'
}
ids_re='process_message: .* type 11$|process_request_identities'
sign_re='process_message: .* type 13$|process_sign_request'

ssh-keygen -q -t ed25519 -N '' -C probe-test -f "$dir/key" </dev/null
fp=$(ssh-keygen -lf "$dir/key.pub" | awk '{ print $2 }')
ssh-agent -d -a "$sock" >"$dir/agent.out" 2>"$log" </dev/null &
agent=$!
check "ssh-agent -d listens on its socket" wait_for 5000 test -S "$sock"
SSH_AUTH_SOCK=$sock ssh-add -q "$dir/key" </dev/null 2>&1 | diag
# Only the agent holds the private key now: a signature must come from it.
rm -f "$dir/key"
check "the agent holds the key" wait_for 5000 logged_after 0 'process_add_identity: add'

# ---- the probe: one extension request, nothing else ----
mark=$(log_lines)
out=$("$probe" "$sock" 2000)
st=$?
ok "$st" "agentprobe: exit 0 (said: $out)"
[[ $out =~ ^answers\ [0-9]+us$ ]]
ok $? "agentprobe: says \"answers <n>us\""
check "the agent logged an extension request" \
	wait_for 5000 logged_after "$mark" 'process_message: .* type 27$'
check "...handled as the extension \"query\"" \
	wait_for 5000 logged_after "$mark" 'process_extension: .*"query"|process_ext_query'

# Control: ssh-add -l against the same agent, queued behind whatever the
# probe sent, so the probe's requests are all logged before its type 11.
lst=$(SSH_AUTH_SOCK=$sock ssh-add -l </dev/null)
[[ $lst == *"$fp"* ]]
ok $? "control: ssh-add -l lists the key"
check "control: the identities pattern catches ssh-add -l's request" \
	wait_for 5000 logged_after "$mark" "$ids_re"
types=$(types_after "$mark")
[ "$types" = "27 11" ]
ok $? "the agent handled the probe's type 27, then ssh-add's 11, nothing else (got: $types)"
# What the agent logged before the last type 11, which is ssh-add's.
probe_part=$(log_after "$mark" | awk '/process_message: .* type 11$/ { last = NR }
	{ line[NR] = $0 }
	END { for (i = 1; i < last; i++) print line[i] }')
! grep -Eq "$ids_re|$sign_re" <<<"$probe_part"
ok $? "no identities request and no sign request from the probe"
[ "$_fail" = 0 ] || log_after "$mark" | diag

# Control: a signature by the agent shows in the log as the sign pattern.
mark=$(log_lines)
echo probe >"$dir/msg"
SSH_AUTH_SOCK=$sock ssh-keygen -Y sign -f "$dir/key.pub" -n file "$dir/msg" \
	</dev/null >/dev/null 2>&1
ok $? "control: ssh-keygen -Y sign through the agent"
check "control: the sign pattern catches its sign request" \
	wait_for 5000 logged_after "$mark" "$sign_re"

# ---- a stopped agent: accepts (the kernel queues), never answers ----
kill -STOP "$agent"
t0=$(now_ms)
out=$("$probe" "$sock" 500)
st=$?
el=$(($(now_ms) - t0))
ok $((st != 1)) "stopped agent: exit 1 (got $st: $out)"
[ "$out" = "no answer within 500 ms" ]
ok $? "stopped agent: says \"no answer within 500 ms\""
[ "$el" -ge 500 ]
ok $? "stopped agent: waited the 500 ms (${el} ms)"
kill -CONT "$agent"
out=$("$probe" "$sock" 2000)
ok $? "continued agent: answers again ($out)"

# ---- a killed agent leaves its socket file: refused ----
# (the braces also take bash's "Killed" notice off the TAP stream)
{ kill -KILL "$agent"; wait "$agent"; } 2>/dev/null
agent=
test -S "$sock"
ok $? "the killed agent left its socket file"
out=$("$probe" "$sock" 500)
st=$?
ok $((st != 3)) "killed agent: exit 3 (got $st: $out)"
[ "$out" = refused ]
ok $? "killed agent: says \"refused\""
"$probe" "$dir/missing" 500 2>/dev/null
ok $(($? != 4)) "a missing path: exit 4"

echo "1..$_n"
[ "$_fail" = 0 ]
