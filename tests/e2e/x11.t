#!/bin/bash
# x11.t - with X11Forwarding yes, xauth installed and no ~/.ssh/rc, "ssh -Y"
# gets its xauth cookie in the session with the module in the stack: the
# module must not take sshd's xauth step away the way a ~/.ssh/rc does.
#
# No X server runs here.  A trusted forwarding (-Y) needs none on the
# client: ssh finds no cookie for the fake DISPLAY in an empty XAUTHORITY
# and sends generated ("fake") authentication data, which sshd hands to
# xauth in the session exactly as it would a real cookie.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "${NS_RUN_INSIDE:-}" = 1 ] || exec "$here/../lib/ns-run" "$here/$(basename "$0")" "$@"
. "$here/lib.sh"
e2e_require /usr/sbin/sshd ssh ssh-agent setpriv ss xauth

e2e_setup yes
# The private copy of /etc/ssh: a host's sshrc would also replace xauth.
rm -f /etc/ssh/sshrc
e2e_pam "$E2E_MODULE"
e2e_sshd_start
tap_plan 4

: >"$E2E_DIR/client.xauth"
x11() {
	DISPLAY=:0 XAUTHORITY=$E2E_DIR/client.xauth e2e_ssh A -A -Y e2e \
		'echo "DISPLAY=${DISPLAY-unset}"; xauth list; echo "link=$(readlink "$AGENTLINK_SOCK")"' </dev/null 2>"$E2E_DIR/x11.err"
}
has_cookie() { grep -q '^DISPLAY=localhost:[0-9]*\.0$' <<<"$1" && grep -q 'MIT-MAGIC-COOKIE-1 *[0-9a-f]\{32\}' <<<"$1"; }

out=$(x11) || true
tap_check "after the login there is no ~/.ssh/rc (the module made none)" test ! -e "$E2E_HOME/.ssh/rc"
tap_diag "with the module: $(tr '\n' ' ' <<<"$out") $(tr '\n' ' ' <"$E2E_DIR/x11.err")"
tap_check "ssh -Y with the module: DISPLAY is forwarded and xauth list shows the cookie" has_cookie "$out"
tap_check "ssh -Y with the module: agent forwarding is linked in the same session" \
	e2e_is_agent_path "$(sed -n 's/^link=//p' <<<"$out")"

e2e_pam_plain
rm -f "$E2E_HOME/.Xauthority"
plain=$(x11) || true
tap_diag "without the module: $(tr '\n' ' ' <<<"$plain")"
tap_check "ssh -Y without the module gets the cookie as well (the comparison is valid)" has_cookie "$plain"
tap_exit
