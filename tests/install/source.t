#!/bin/bash
# source.t - installed from source as an admin installs it (issue 21):
# "make && make install" in the checkout, as root, with no variables and
# a clean environment, into the system's own directories; then the e2e
# reconnect, tmux per-session and hidepid= tests (tests/e2e/reconnect.t,
# tmux.t, hidepid.t) run against what it installed (E2E_INSTALLED=1, tests/e2e/lib.sh): the
# module named on the PAM line as an admin writes it, the installed
# helper, agentlink and /etc/profile.d/agentlink.sh, and only
# conf/tmux.conf from the checkout.  Then a reinstall over an edited
# agentlink.conf, and make uninstall.
#
# Nothing reaches the host: this runs in a private mount and PID
# namespace with a tmpfs overlay on /usr, /etc (and /lib where it is not
# a link to usr/lib), so that every write of make install lands in a tmpfs
# and goes with the namespace.  Run on the host by make check, and in the
# release roots by tests/distro/inside.sh (full mode).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
skip() { echo "1..0 # SKIP $*"; exit 0; }
if [ "${SRC_INSTALL_INSIDE:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || skip "needs root for a private mount namespace"
	unshare --mount --pid --fork true 2>/dev/null || skip "unshare cannot create namespaces here"
	export SRC_INSTALL_INSIDE=1
	exec unshare --mount --propagation private --pid --fork --kill-child --mount-proc \
		"$here/$(basename "$0")" "$@"
fi
for p in make cc /usr/sbin/sshd ssh ssh-agent tmux screen script setpriv ss perl; do
	command -v "$p" >/dev/null 2>&1 || [ -x "$p" ] ||
		skip "$p is not installed (tests/deps/e2e.list)"
done
[ -x "$top/tests/tools/logsink" ] || skip "tests/tools/logsink not built (make check-build)"
. "$top/tests/e2e/lib.sh"

# A private /run for the overlays' upper directories.
mount -t tmpfs -o mode=0755 srcinst /run
e2e_overlay /usr /etc /lib
# uppers [FIND-TEST...]: what was written through the overlays, as paths
# of the system (/run/ovl/_etc/up/x is /etc/x).
uppers() {
	local o
	for o in /run/ovl/*; do
		find "$o/up" -mindepth 1 "$@" -printf "$(basename "$o" | tr _ /)/%P\n"
	done | sort
}
[ -z "$(uppers)" ] || e2e_die "the overlays are not empty before the install: $(uppers)"

# Where the package puts each file (README, "Install").
pamdir=$(pkg-config --variable=libdir pam 2>/dev/null || true)
[ -n "$pamdir" ] || pamdir=/lib/$(cc -print-multiarch)
pamdir=$pamdir/security
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || cc -print-multiarch)
helper=/usr/lib/$triplet/pam_agentlink/agentlink-watch

# As root in a fresh shell: no DESTDIR, PREFIX or MAKEFLAGS of the caller.
admin() { env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root LANG=C.UTF-8 sh -c "cd '$top' && $1"; }

tap_plan 9
st=0
admin 'make && make install' >/run/install.out 2>&1 || st=$?
tap_ok "$st" "make && make install (as root, no variables)"
[ "$st" = 0 ] || sed 's/^/# /' /run/install.out
tap_diag "make install wrote: $(uppers ! -type d | tr '\n' ' ')"

placed() {
	local ok=0 f
	for f in "$pamdir/pam_agentlink.so" "$helper" /usr/bin/agentlink \
		/usr/share/doc/libpam-agentlink/examples/tmux.conf \
		/usr/share/man/man8/pam_agentlink.8 /usr/share/man/man1/agentlink.1; do
		[ -f "$f" ] || { echo "# missing: $f"; ok=1; }
	done
	[ "$(stat -c '%U %a' "$helper" 2>/dev/null)" = "root 755" ] || { echo "# $helper: not root 0755"; ok=1; }
	strings "$pamdir/pam_agentlink.so" | grep -qxF "$helper" || { echo "# the module does not exec $helper"; ok=1; }
	return $ok
}
tap_check "module in $pamdir, helper $helper (root, 0755, the path the module execs), agentlink, man pages, examples" placed
tap_check "/etc/profile.d/agentlink.sh is conf/agentlink.sh" cmp "$top/conf/agentlink.sh" /etc/profile.d/agentlink.sh
tap_check "/etc/security/agentlink.conf is conf/agentlink.conf" cmp "$top/conf/agentlink.conf" /etc/security/agentlink.conf

# The e2e tests against the install, each in its own tests/lib/ns-run (a
# fresh private host each), as tests/distro/inside.sh runs them: ok only
# when prove passed the file and it skipped nothing.
for t in tests/e2e/reconnect.t tests/e2e/tmux.t tests/e2e/hidepid.t; do
	out=/run/$(basename "$t").out
	rc=0
	(cd "$top" && E2E_INSTALLED=1 timeout -k 10 300 prove -v --merge --exec '' "$t") >"$out" 2>&1 || rc=$?
	total=$(grep -cE '^(not )?ok [0-9]' "$out") || true
	skipped=$(grep -ciE '^ok [0-9]+.*# *skip|skipped:|^1\.\.0' "$out") || true
	tap_ok "$([ "$rc" = 0 ] && [ "$total" -gt 0 ] && [ "$skipped" = 0 ]; echo $?)" \
		"$t against make install's files ($total tests)"
	if [ "$rc" != 0 ] || [ "$skipped" != 0 ]; then
		grep -E '^not ok|^# |Bail|skip' "$out" | sed 's/^/#   /' | head -60
	fi
done

# A reinstall keeps an admin's agentlink.conf; uninstall removes the
# rest, and nothing else (a file of the system it removed would be a
# whiteout in an upper directory).
echo "# the admin's edit" >>/etc/security/agentlink.conf
st=0
admin 'make install' >/run/reinstall.out 2>&1 || st=$?
kept() { [ "$st" = 0 ] && tail -1 /etc/security/agentlink.conf | grep -qxF "# the admin's edit" &&
	cmp -s "$top/conf/agentlink.sh" /etc/profile.d/agentlink.sh; }
tap_check "a reinstall keeps the edited agentlink.conf" kept
[ "$st" = 0 ] || sed 's/^/# /' /run/reinstall.out
st=0
admin 'make uninstall' >/run/uninstall.out 2>&1 || st=$?
left=$(uppers ! -type d)
tap_diag "after make uninstall, files in the overlays: $left"
tap_check "make uninstall removes what install put and nothing else, but the edited agentlink.conf" \
	eval '[ "$st" = 0 ] && [ "$left" = /etc/security/agentlink.conf ]'
[ "$st" = 0 ] || sed 's/^/# /' /run/uninstall.out
tap_exit
