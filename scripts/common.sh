# Shared by run.sh, test.sh and .ci/run: a virtual environment with the project installed, and the
# system libraries Qt needs on a bare Debian/Ubuntu machine. Sourced, not executed.

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${IDCT_VENV:-$PROJECT_ROOT/.venv}"

# Qt's offscreen/xcb platforms and fonts (DESIGN.md), plus tools the tests call.
QT_RUNTIME_PACKAGES=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3
  libglib2.0-0 libx11-6 libxcb1 fonts-dejavu-core libxkbcommon-x11-0 libxcb-icccm4
  libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0
  libxcb-xfixes0 libxcb-xkb1 libxcb-sync1 libxcb-shm0 libxcb-render0 libxcb-util1 libxcb-glx0)

pick_python() {
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "Python 3.11 or newer is needed (sudo apt-get install python3 python3-venv)" >&2
  return 1
}

missing_debian_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
      echo "$package"
  done
}

# Install missing Debian packages when we may (root, or passwordless sudo); otherwise say which.
ensure_debian_packages() {
  local missing
  missing=$(missing_debian_packages "$@")
  [ -z "$missing" ] && return 0
  # shellcheck disable=SC2086
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
  else
    echo "Missing system packages; install them with:" >&2
    echo "  sudo apt-get install $(echo $missing | tr '\n' ' ')" >&2
    return 1
  fi
}

# The venv with the project installed (editable) and the given extras, e.g. "test,lint".
ensure_venv() {
  local extras="$1" python
  python=$(pick_python) || return 1
  if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    ensure_debian_packages "python3-venv" || return 1
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    "$python" -m venv "$VENV" || return 1
  fi
  local spec="$PROJECT_ROOT"
  [ -n "$extras" ] && spec="$PROJECT_ROOT[$extras]"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec"
}
