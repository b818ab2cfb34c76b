#!/bin/bash
# inside.sh full|e2e LABEL: runs inside a root made by tests/distro/mkroot
# (through tests/distro/enter, in a fresh copy of the tree) and prints TAP:
#   - make with no flags (-Werror) with this release's gcc and libpam, and
#     what the e2e suite loads and runs (tests/build/pam_agentlink.so,
#     tests/tools/logsink and sockfix);
#   - full only: make's SELinux decision with selinux.h absent (hidden by an
#     empty tmpfs in a private mount namespace) and present;
#   - one test per tests/e2e/*.t (and, full only, tests/install/source.t),
#     run by this release's prove through tests/lib/ns-run; ok only when prove passed it and nothing in it was
#     skipped (in a root made for it, everything must run).
set -eu
mode=${1:?usage: inside.sh full|e2e LABEL}
rel=${2:?usage: inside.sh full|e2e LABEL}
work=/tmp/distro
mkdir -p "$work"
. /etc/os-release

n=0
diag() { sed 's/^/# /' "$@"; }
# tap STATUS NAME [LOG]: one test; a failure prints LOG as diagnostics.
tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -z "${3:-}" ] || diag "$3"
	fi
}
ver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo none; }

e2e=(tests/e2e/*.t)
# full only: make install as an admin runs it, and the reconnect and tmux
# tests against what it installed.
[ "$mode" != full ] || e2e+=(tests/install/source.t)
plan=$((1 + ${#e2e[@]}))
[ "$mode" = full ] && plan=$((plan + 2))
echo "1..$plan"
echo "# $PRETTY_NAME: gcc $(gcc -dumpfullversion), libpam $(ver libpam0g-dev)," \
	"OpenSSH $(ver openssh-server), tmux $(ver tmux), screen $(ver screen)," \
	"perl $(ver perl); root $(sed -n 's/^made=//p' /etc/pam_agentlink-root)"

# A clean copy for the build without selinux.h, taken before any build.
[ "$mode" != full ] || cp -a . "$work/noselinux"

# ---- the build ----
built=1
{ make && make tests/build/pam_agentlink.so tests/tools/logsink tests/tools/sockfix; } \
	>"$work/make.log" 2>&1 || built=0
[ "$built" = 0 ] || grep -i 'warning' "$work/make.log" | diag
tap $((1 - built)) "$rel: make (no flags, -Werror) builds the module, its helper and the e2e suite's tools" "$work/make.log"

# ---- SELinux detection, both ways ----
decision() { make -C "$1" -p -q 2>/dev/null | sed -n 's/^SELINUX := //p'; }
links_selinux() { readelf -d "$1/pam_agentlink/module/pam_agentlink.so" | grep -q 'NEEDED.*libselinux'; }
if [ "$mode" = full ]; then
	# Hide the headers in a private mount namespace, so the root is unchanged.
	st=0
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare --mount sh -c '
		[ ! -d /usr/include/selinux ] || mount -t tmpfs -o ro,mode=0755 none /usr/include/selinux
		test ! -e /usr/include/selinux/selinux.h && cd "$1" &&
		d=$(make -p -q 2>/dev/null | sed -n "s/^SELINUX := //p") &&
		echo "make decided SELINUX=$d" && test "$d" = no && make' \
		sh "$work/noselinux" >"$work/noselinux.log" 2>&1 || st=$?
	[ "$st" != 0 ] || ! links_selinux "$work/noselinux" ||
		{ st=1; echo "pam_agentlink.so links libselinux" >>"$work/noselinux.log"; }
	tap "$st" "$rel: selinux.h absent: make decides SELINUX=no and builds without libselinux" \
		"$work/noselinux.log"

	if [ -f /usr/include/selinux/selinux.h ]; then
		d=$(decision .)
		st=0
		[ "$d" = yes ] && [ "$built" = 1 ] && links_selinux . || st=1
		echo "make decided SELINUX=$d; the module built: $built" >"$work/selinux.log"
		tap "$st" "$rel: selinux.h present: make decides SELINUX=yes and links libselinux" "$work/selinux.log"
	else
		# mkroot installs libselinux1-dev when it can; say why it could not.
		why=$(grep -m1 -E '^ *libselinux1-dev *:|^E: ' /var/log/pam_agentlink-selinux.log 2>/dev/null |
			sed 's/^ *//; s/  */ /g') || true
		n=$((n + 1))
		echo "ok $n - $rel: selinux.h present # SKIP libselinux1-dev is not installable in this root: ${why:-see /var/log/pam_agentlink-selinux.log}"
	fi
fi

# ---- the e2e suite ----
export E2E_SSHD_EXTRA="${E2E_SSHD_EXTRA:-}" E2E_MODULE_ARGS="${E2E_MODULE_ARGS:-}"
[ -z "$E2E_SSHD_EXTRA" ] || diag <<<"sshd_config gets: ${E2E_SSHD_EXTRA//$'\n'/; }"
[ -z "$E2E_MODULE_ARGS" ] || diag <<<"the module's PAM line gets: $E2E_MODULE_ARGS"

for t in "${e2e[@]}"; do
	if [ "$built" = 0 ]; then
		tap 1 "$rel: $t (not run: the build failed)"
		continue
	fi
	out=$work/$(basename "$t").out
	t0=$(date +%s%N)
	rc=0
	# timeout (without --foreground) also gives the file a process group
	# of its own: a stray "kill 0" in a test ends only this file's run.
	timeout -k 10 600 prove -v --merge --exec '' "$t" >"$out" 2>&1 || rc=$?
	secs=$(( ($(date +%s%N) - t0) / 1000000 ))
	total=$(grep -cE '^(not )?ok [0-9]' "$out") || true
	notok=$(grep -cE '^not ok [0-9]' "$out") || true
	skip=$(grep -ciE '^ok [0-9]+.*# *skip' "$out") || true
	todo=$(grep -ciE '^(not )?ok [0-9]+.*# *todo' "$out") || true
	why=
	if [ "$rc" = 124 ] || { [ "$rc" = 137 ] && [ "$secs" -ge 600000 ]; }; then why="timed out after 600 s"
	elif [ "$rc" -gt 128 ]; then why="killed by signal $((rc - 128))"
	elif [ "$rc" != 0 ]; then why="prove failed it"
	elif [ "$total" = 0 ]; then
		# prove -v shows a skip plan ("1..0 # SKIP why") as "t .. skipped: why".
		why="ran no test: $(grep -m1 -oE 'skipped:.*|^1\.\.0.*' "$out" || echo 'no test line')"
	elif [ "$skip" != 0 ]; then why="$skip of its tests skipped"
	fi
	printf '# %s: %s tests, %s not ok, %s skipped, %s todo; %d.%03d s\n' \
		"$t" "$total" "$notok" "$skip" "$todo" $((secs / 1000)) $((secs % 1000))
	tap "$([ -z "$why" ]; echo $?)" "$rel: $t${why:+ ($why)}" "${why:+$out}"
done
