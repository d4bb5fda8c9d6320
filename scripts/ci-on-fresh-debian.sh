#!/usr/bin/env bash
# Run CI on a truly fresh machine: a minimal Debian 12 made with debootstrap, holding nothing but
# `python3 python3-venv git ca-certificates`, in a chroot on this machine. Proves that .ci/run
# installs everything it needs itself (Qt's libraries, the .deb build tools, Xvfb, …).
#
#   sudo scripts/ci-on-fresh-debian.sh                 # CI=true bash .ci/run on the committed HEAD
#   sudo scripts/ci-on-fresh-debian.sh ./test.sh tests/packaging   # any command instead
#
# Needs root, debootstrap (apt-get install debootstrap) and ~3 GB in $FRESH_DEBIAN_DIR (default
# /var/tmp). Downloads from the Debian mirror ($DEBIAN_MIRROR, default deb.debian.org) and from
# PyPI, like a real fresh machine. Tests what is committed: uncommitted changes are not copied.
# The chroot is deleted afterwards unless KEEP=1. The command runs as root with CI=true and no
# locale set, as on a CI machine.
#
# Certificate authorities this machine added to its own trust store (/usr/local/share/
# ca-certificates, e.g. a TLS-inspecting proxy's) are added to the chroot's too, and pip is told
# to use that store (PIP_CERT), so the chroot reaches PyPI the way this machine does.
set -euo pipefail

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
[ "$(id -u)" = 0 ] || {
  echo "run as root: debootstrap, chroot and mount need it" >&2
  exit 2
}
command -v debootstrap >/dev/null || {
  echo "debootstrap is missing: apt-get install debootstrap" >&2
  exit 2
}
[ $# -gt 0 ] || set -- bash .ci/run

work=$(mktemp -d "${FRESH_DEBIAN_DIR:-/var/tmp}/fresh-debian.XXXXXX")
root="$work/root"
mounted=()

cleanup() {
  local index
  for ((index = ${#mounted[@]} - 1; index >= 0; index--)); do
    umount "${mounted[index]}" || umount -l "${mounted[index]}" || true
  done
  # Never delete while anything is still mounted inside: /dev is the host's own.
  if grep -q " $root/" /proc/mounts; then
    echo "still mounted under $root; left in place" >&2
  elif [ "${KEEP:-0}" = 1 ]; then
    echo "kept: $root"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

mount_into() { # mount_into TARGET MOUNT-ARGS…
  mount "${@:2}" "$root$1"
  mounted+=("$root$1")
}

started=$(date +%s)
echo "== debootstrap --variant=minbase $SUITE ($MIRROR)"
debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$work/debootstrap.log" ||
  { tail -20 "$work/debootstrap.log"; exit 1; }
cp /etc/resolv.conf "$root/etc/resolv.conf"
# debootstrap leaves /etc/hosts to the installer; without it "localhost" does not resolve. This
# is what Debian's installer writes for localhost.
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
mount_into /proc -t proc proc
mount_into /sys -t sysfs sysfs
mount_into /dev --bind /dev
mount_into /dev/pts --bind /dev/pts
mount_into /dev/shm -t tmpfs tmpfs

in_chroot() {
  chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root TERM=dumb DEBIAN_FRONTEND=noninteractive "$@"
}

echo "== apt-get install python3 python3-venv git ca-certificates (nothing else)"
in_chroot sh -c 'apt-get update -qq &&
  apt-get install -y -qq --no-install-recommends python3 python3-venv git ca-certificates' \
  >"$work/base-packages.log" || { tail -20 "$work/base-packages.log"; exit 1; }
rm -rf "$root/var/lib/apt/lists/"*  # as on a machine that never ran apt-get update
network_env=()
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  in_chroot update-ca-certificates >/dev/null
  network_env+=(PIP_CERT=/etc/ssl/certs/ca-certificates.crt)
fi

commit=$(git -C "$PROJECT_ROOT" rev-parse HEAD)
echo "== git clone of $commit"
git clone --quiet --no-local "$PROJECT_ROOT" "$root/root/project"
git -C "$root/root/project" checkout --quiet --detach "$commit"

echo "== CI=true $* (in the chroot, as root)"
set +e
in_chroot "${network_env[@]}" CI=true bash -c 'cd /root/project && "$@"' command "$@"
status=$?
set -e
echo "== exit status $status after $(($(date +%s) - started)) s"
exit "$status"
