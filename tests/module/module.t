#!/bin/sh
# Module tests: pam_agentlink.so through the real libpam, as root, inside
# private namespaces.
top=$(cd "$(dirname "$0")/../.." && pwd)
exec "$top/tests/lib/ns-run" "$top/tests/module/test_module" "$top/tests/build/pam_agentlink.so"
