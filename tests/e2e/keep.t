#!/bin/bash
# keep.t - a long-lived connection holds the link while 20 short
# "ssh -A host true" connections come and go, some in parallel.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent setpriv ss

e2e_setup
e2e_pam "$E2E_MODULE"
e2e_sshd_start
tap_plan 5

ready() { grep -q ready "$1" 2>/dev/null; }
link_is() { [ "$(e2e_link)" = "$1" ]; }

e2e_sshx A -A e2e "echo ready; exec sleep 600" </dev/null >"$E2E_DIR/long.out" 2>&1 &
long=$!
e2e_wait 10 ready "$E2E_DIR/long.out" || e2e_die "long-lived connection did not start"
longsock=$(e2e_agent_socks | head -1)
e2e_wait 3 link_is "$longsock" || true
tap_check "the long-lived connection is linked: $longsock" link_is "$longsock"

# The sampler: "target live|dead|none" lines, one per sample, until told
# to stop.  live means the target accepts an agent request.
samples=$E2E_DIR/samples
sampler() {
	local t r
	while [ ! -e "$E2E_DIR/stop" ]; do
		t=$(e2e_link)
		if [ -z "$t" ]; then
			echo "none -"
			continue
		fi
		r=0
		SSH_AUTH_SOCK=$t ssh-add -l >/dev/null 2>&1 || r=$?
		if [ $r = 2 ]; then echo "$t dead"; else echo "$t live"; fi
	done >"$samples"
}
sampler &
sp=$!

t0=$(e2e_ms)
short=0
fails=0
one() { e2e_ssh B -A e2e true </dev/null >/dev/null 2>&1; }
# 8 one after the other, then 3 rounds of 4 at once.
for _ in 1 2 3 4 5 6 7 8; do
	one || fails=$((fails + 1))
	short=$((short + 1))
done
for _ in 1 2 3; do
	pids=()
	for _ in 1 2 3 4; do
		one &
		pids+=("$!")
		short=$((short + 1))
	done
	for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
done
t1=$(e2e_ms)
touch "$E2E_DIR/stop"
wait "$sp" || true

tap_diag "$short short connections ($fails failed) in $((t1 - t0)) ms"
tap_check "all $short short connections logged in" test "$fails" = 0

nsamples=$(wc -l <"$samples")
ndead=$(grep -c ' dead$' "$samples" || true)
nother=$(awk -v l="$longsock" '$1 != l' "$samples" | wc -l)
tap_diag "$nsamples samples of the link during the churn: $ndead at a dead socket, $nother not at the long-lived connection's socket"
awk -v l="$longsock" '$1 != l' "$samples" | sort | uniq -c | head -5 | sed 's/^/# /'
enough_and_none_dead() { [ "$nsamples" -ge 10 ] && [ "$ndead" = 0 ]; }
tap_check "no sample of the link (of $nsamples) pointed at a dead socket while the long-lived one was alive" \
	enough_and_none_dead
tap_check "the link never left the long-lived connection's socket during the churn" \
	test "$nother" = 0

only_long() { [ "$(e2e_link)" = "$longsock" ] && e2e_sock_live "$longsock" &&
	[ "$(e2e_agent_socks)" = "$longsock" ]; }
e2e_wait 3 only_long || true
tap_diag "afterwards: link -> $(e2e_link); sockets: $(e2e_agent_socks | tr '\n' ' ')"
tap_check "afterwards the link still points at the long-lived connection's live socket, the only one left" \
	only_long

kill "$long"
wait "$long" 2>/dev/null || true
tap_exit
