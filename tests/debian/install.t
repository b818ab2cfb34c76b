#!/bin/bash
# install.t - the Debian package, for real, without touching the host:
# build it, check it with lintian, dpkg -i both packages (libpam-agentlink:
# the module and its helper; agentlink: the command) into overlays (every write of dpkg lands in a tmpfs),
# add the documented line to the private /etc/pam.d/sshd, run the tmux
# reconnect scenario through Debian's sshd against the installed module and
# the installed tmux snippet, then dpkg --purge and check nothing stays.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
top=$(cd "$here/../.." && pwd)
for p in dpkg-buildpackage dh fakeroot lintian /usr/sbin/sshd ssh ssh-agent tmux setpriv ss; do
	command -v "$p" >/dev/null 2>&1 || [ -x "$p" ] ||
		{ echo "1..0 # SKIP $p is not installed (tests/deps/debian.list)"; exit 0; }
done
[ -f "$top/tests/e2e/lib.sh" ] || { echo "1..0 # SKIP tests/e2e/lib.sh missing"; exit 0; }
if dpkg-query -W -f '${Status}' libpam-agentlink 2>/dev/null | grep -q installed; then
	echo "1..0 # SKIP libpam-agentlink is installed on this host"; exit 0
fi
. "$top/tests/e2e/lib.sh"
tap_plan 18
t_start=$(e2e_ms)

# 1. Build, from a copy of the tree in the private /tmp.
pkg=/tmp/pkg
st=0
TMPDIR=/tmp "$here/build-deb" "$pkg" >/tmp/build.out 2>&1 || st=$?
tap_ok "$st" "dpkg-buildpackage -us -uc -b builds the package"
[ "$st" = 0 ] || { sed 's/^/# /' /tmp/build.out; exit 1; }
debs=$(ls "$pkg"/libpam-agentlink_*.deb "$pkg"/agentlink_*.deb)
t_built=$(e2e_ms)
# lintian of the build's release: no error, no warning (informational tags
# and overridden ones are not reported at this level).
st=0
lintian --fail-on error,warning "$pkg"/*.changes >/tmp/lintian.out 2>&1 || st=$?
tap_ok "$st" "lintian $(lintian --version | awk '{print $2}'): no error, no warning"
sed 's/^/# /' /tmp/lintian.out
t_lintian=$(e2e_ms)
# make install gives what the packages give: the same files at the same
# paths (dh_compress's .gz aside; copyright, changelog.Debian, README.Debian
# and the lintian overrides are the package's own).
files_of_debs() {
	for deb in $debs; do dpkg-deb -c "$deb"; done | awk '$1 !~ /^d/ {print $6}' |
		sed 's|^\./|/|; s|\.gz$||' | grep -vE '^/usr/share/(doc/[^/]+/(copyright|changelog\.Debian|README\.Debian)|lintian/overrides/.*)$' | sort
}
st=0
(cd "$top" && make -s install DESTDIR=/tmp/mi) >/tmp/mi.out 2>&1 || st=$?
same_files() { [ "$st" = 0 ] && diff <(files_of_debs) <(cd /tmp/mi && find . ! -type d | sed 's|^\.||' | sort) >/tmp/mi.diff; }
tap_check "make install DESTDIR= puts the files the two packages have, at the same paths" same_files
[ -s /tmp/mi.diff ] && sed 's/^/# /' /tmp/mi.diff /tmp/mi.out

# 2. Overlays on everything dpkg writes to; the uppers are in /run (tmpfs).
e2e_overlay /usr /etc /var/lib /var/cache
# ns-run's private account files and /etc/pam.d, /etc/ssh, back on top.
etc=/run/agentlink-test/etc
for f in passwd group shadow pam.d ssh; do mount --bind "$etc/$f" "/etc/$f"; done
id alice >/dev/null || e2e_die "alice lost after the /etc overlay"

pamdir=$(pkg-config --variable=libdir pam 2>/dev/null || echo "/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)")/security
# What exists before the install (the directories other packages share).
for deb in $debs; do dpkg-deb -c "$deb"; done | awk '{print $6}' | sed 's|^\./|/|; s|/$||' | grep -v '^$' >/run/paths
: >/run/preexisting
while read -r p; do [ -e "$p" ] && echo "$p" >>/run/preexisting; done </run/paths

st=0
# shellcheck disable=SC2086 # two paths without spaces
dpkg -i $debs >/run/dpkg-i.out 2>&1 || st=$?
tap_ok "$st" "dpkg -i installs both packages"
[ "$st" = 0 ] || sed 's/^/# /' /run/dpkg-i.out
t_installed=$(e2e_ms)
tap_check "the module is in the PAM module directory $pamdir" test -f "$pamdir/pam_agentlink.so"
helper=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/pam_agentlink/agentlink-watch
helper_ok() { [ "$(stat -c '%U %a' "$helper" 2>/dev/null)" = "root 755" ] &&
	strings "$pamdir/pam_agentlink.so" | grep -qxF "$helper"; }
tap_check "the watch helper is $helper (root, 0755) and the module execs that path" helper_ok
conffiles() { [ "$(dpkg-query -W -f '${Conffiles}' libpam-agentlink | awk 'NF {print $1}' | sort | tr '\n' ' ')" = \
	"/etc/profile.d/agentlink.sh /etc/security/agentlink.conf " ]; }
tap_check "agentlink.conf and agentlink.sh are conffiles" conffiles
man_finds() { man -w pam_agentlink >/dev/null; }
tap_check "man finds pam_agentlink(8)" man_finds
cmd=/usr/bin/agentlink
cmd_ok() { [ "$(stat -c '%U %a' "$cmd" 2>/dev/null)" = "root 755" ] && man -w 1 agentlink >/dev/null; }
tap_check "the command is $cmd (root, 0755: no setuid bit) and man finds agentlink(1)" cmd_ok
ex=/usr/share/doc/libpam-agentlink/examples
tap_check "the snippets are in $ex" test -f "$ex/tmux.conf" -a -f "$ex/screenrc" -a -f "$ex/pam.d-sshd.snippet"

# 3. The documented line, where README.Debian says: after common-session.
line=$(grep -v '^#' "$ex/pam.d-sshd.snippet" | grep .)
grep -q '^@include common-session' /etc/pam.d/sshd || e2e_die "no common-session in /etc/pam.d/sshd"
sed -i "/^@include common-session/a $line" /etc/pam.d/sshd
tap_diag "$(grep -n -A1 common-session /etc/pam.d/sshd)"
e2e_setup
e2e_pam_plain   # a copy of the private /etc/pam.d/sshd, with the line
E2E_MODULE=$pamdir/pam_agentlink.so
e2e_sshd_start
install -o alice -g alice -m 0644 "$ex/tmux.conf" "$E2E_HOME/.tmux.conf"

fpA=$(e2e_fp A)
fpB=$(e2e_fp B)
pane_run() {
	local out=$E2E_HOME/.pane.out
	rm -f "$out"
	as_alice tmux send-keys -t work "ssh-add -l >~/.pane.tmp 2>&1; echo rc=\$? >>~/.pane.tmp; mv ~/.pane.tmp $out" Enter
	e2e_wait 3 test -f "$out" || { echo "pane did not run the command"; return 0; }
	cat "$out"
}
ready() { grep -q ready "$1" 2>/dev/null; }
link_live() { e2e_link_live; }

# Connection A starts tmux (with the installed snippet) and stays.
e2e_sshx A -A e2e "tmux new-session -d -s work -x 100 -y 20 && echo ready; exec sleep 600" \
	</dev/null >/run/c1.out 2>&1 &
c1=$!
e2e_wait 10 ready /run/c1.out || e2e_die "connection A did not start tmux: $(cat /run/c1.out)"
e2e_wait 5 link_live || true
maps_ok() { grep -l "$pamdir/pam_agentlink.so" /proc/[0-9]*/maps 2>/dev/null | grep -q .; }
tap_check "sshd has the installed module loaded" maps_ok
before=$(pane_run)
tap_diag "pane with A: $(tr '\n' ' ' <<<"$before") link -> $(e2e_link)"
tap_check "pane started under connection A lists A's key" grep -q "$fpA" <<<"$before"
kill "$c1"; wait "$c1" 2>/dev/null || true
e2e_sshx B -A e2e "echo ready; exec sleep 600" </dev/null >/run/c2.out 2>&1 &
c2=$!
e2e_wait 10 ready /run/c2.out || true
t1=$(e2e_ms)
after=
while :; do
	after=$(pane_run)
	grep -q "$fpB" <<<"$after" && break
	[ $(($(e2e_ms) - t1)) -lt 2000 ] || break
done
tap_diag "pane after reconnecting with B: $(tr '\n' ' ' <<<"$after") link -> $(e2e_link)"
tap_check "after the reconnect the old pane lists B's key (installed module + snippet)" grep -q "$fpB" <<<"$after"
# The installed command, as alice, reads the documented line and finds
# the link working; doctor, in the old pane, finds nothing to fix.
status_out=$(as_alice "$cmd" status 2>&1) && rc=0 || rc=$?
tap_diag "$status_out"
tap_check "agentlink status (installed) exits 0: the link works" \
	eval '[ "$rc" = 0 ] && grep -qF "link:    $E2E_LINK -> " <<<"$status_out"'
doc=$(e2e_pane_run tmux "$cmd doctor")
tap_diag "$doc"
tap_check "agentlink doctor (installed) in the old pane: the line in /etc/pam.d/sshd, no problem" \
	eval 'grep -q "^ok       PAM: /etc/pam.d/sshd:[0-9]*: session optional pam_agentlink.so" <<<"$doc" &&
		grep -q "^rc=0" <<<"$doc"'
tap_diag "$(e2e_syslog | tail -4)"
kill "$c2"; wait "$c2" 2>/dev/null || true
as_alice tmux kill-server 2>/dev/null || true
e2e_sshd_stop
t_scenario=$(e2e_ms)

# 4. Purge; nothing of the package may stay.
dpkg -L libpam-agentlink agentlink >/run/dpkg-L
st=0
dpkg --purge agentlink libpam-agentlink >/run/dpkg-purge.out 2>&1 || st=$?
tap_ok "$st" "dpkg --purge removes both packages"
left=
while read -r p; do
	[ "$p" = /. ] && continue
	[ -e "$p" ] || [ -L "$p" ] || continue
	grep -qxF "$p" /run/preexisting && [ -d "$p" ] && continue
	left="$left $p"
done < <(sort -u /run/dpkg-L /run/paths)
tap_check "no path of the package stays (but shared directories)" test -z "$left"
[ -z "$left" ] || tap_diag "left:$left"
uppers=$(find /run/ovl/*/up \( -name '*agentlink*' -o -name 'libpam-agentlink*' \) 2>/dev/null)
tap_check "no trace of it in what dpkg wrote (conffiles, dpkg database)" \
	test -z "$uppers$(grep -lE '^Package: (libpam-)?agentlink$' /var/lib/dpkg/status || true)"
[ -z "$uppers" ] || tap_diag "in the overlays: $uppers"
tap_diag "timings: build $((t_built - t_start)) ms, lintian $((t_lintian - t_built)) ms, install $((t_installed - t_lintian)) ms, scenario $((t_scenario - t_installed)) ms, purge $(($(e2e_ms) - t_scenario)) ms"
tap_exit
