#!/usr/bin/env bash
# Run pytest as an ordinary user, as GitHub's runners grade: root starts it, for the tests of
# the sandbox, whose guarantees differ for a grader run as root and one run as a user.
#
#   tests/as_ordinary_user.sh PYTHON [pytest arguments]     (as root, from anywhere)
#
# The user is MNISTCNN_TEST_USER (default: grader), made if missing. The checkout must be
# readable by it. PYTHON may live in root's home (pyenv's interpreters do), which others may
# not enter: for this run only, in a mount namespace of its own, root's home is replaced by a
# folder that holds only the interpreter's folder. The environment passes on, but for HOME.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "run me as root" >&2; exit 2; }
user="${MNISTCNN_TEST_USER:-grader}"
id "$user" >/dev/null 2>&1 || useradd --create-home "$user"
python="$1"
shift
base="$("$python" -c 'import sys; print(sys.base_prefix)')"
cd "$(dirname "$0")/.."
export PYTHONDONTWRITEBYTECODE=1 HOME="$(getent passwd "$user" | cut -d: -f6)"
exec unshare --mount --propagation private bash -euo pipefail -c '
  base=$1 user=$2 python=$3
  shift 3
  case "$base" in
    /root/*)
      top="/root/$(echo "${base#/root/}" | cut -d/ -f1)"
      view="$(mktemp -d)"
      mount --bind "$top" "$view"
      mount -t tmpfs -o mode=0711 tmpfs /root
      mkdir "$top"
      mount --bind "$view" "$top"
      ;;
  esac
  exec setpriv --reuid="$user" --regid="$user" --init-groups "$python" -m pytest -p no:cacheprovider "$@"
' as-ordinary-user "$base" "$user" "$python" "$@"
