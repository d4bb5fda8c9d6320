# Shared by run.sh, test.sh and .ci/run: a virtual environment with the project installed, and the
# system libraries Qt needs on a bare Debian/Ubuntu machine. Sourced, not executed.
#
# Everything here runs on every launch, so the everyday path stays cheap (~20 ms): one dpkg-query
# for all system packages, one start of the venv's Python, and pip only when something it
# installed from may have changed (see ensure_venv). That also lets ./run.sh start offline.

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${IDCT_VENV:-$PROJECT_ROOT/.venv}"
# What the last successful install was made from; see ensure_venv.
INSTALL_STAMP="$VENV/.idconnect-tester-install"

# Qt's offscreen/xcb platforms and fonts, plus tools the tests call.
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

# The Debian package with the shared libpython3.X of the given Python, when Debian's own Python
# is used: its python3.X program has the interpreter linked in, and PyInstaller, which bundles
# libpython3.X.so, finds none until `libpython3.X` is installed. Prints nothing for a Python
# that dpkg does not know (pyenv, a self-built one): those carry their library themselves.
python_library_package() {
  local python="$1" executable
  command -v dpkg-query >/dev/null 2>&1 || return 0
  executable=$("$python" -c 'import os, sys; print(os.path.realpath(sys.executable))') || return 0
  dpkg-query -S "$executable" >/dev/null 2>&1 || return 0
  "$python" -c 'import sys; print("libpython%d.%d" % sys.version_info[:2])'
}

# The Debian packages `packaging/build.py linux` needs with the given Python, beyond dpkg itself:
# objdump and strip, and the Python library PyInstaller bundles. (The build checks them first
# too: missing_linux_build_requirements in packaging/build.py.)
deb_build_packages() {
  echo binutils
  python_library_package "$1"
}

missing_debian_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  # One dpkg-query for all of them (one per package cost ~150 ms on every launch). It lists the
  # packages dpkg knows and complains on stderr about the others, which are then missing too.
  local -A installed=()
  local name status package
  while read -r name status; do
    [[ $status == ii* ]] && installed[$name]=1
  done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null)
  for package in "$@"; do
    [ -n "${installed[$package]:-}" ] || echo "$package"
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

# "b,a" "c,a" -> "a,b,c": extras as one sorted list without repeats.
_merge_extras() {
  local IFS=,
  # shellcheck disable=SC2048,SC2086
  printf '%s\n' $* | sed '/^$/d' | sort -u | paste -sd, -
}

# Whether every extra in $2 is among those in $1.
_has_extras() {
  [ "$(_merge_extras "$1" "$2")" = "$(_merge_extras "$1")" ]
}

# What the venv's Python is (implementation, version and base installation), or nothing when
# the venv has no Python that runs: missing, or its base interpreter was removed or upgraded
# to another minor version underneath it.
_venv_interpreter() {
  [ -x "$VENV/bin/python" ] || return 0
  "$VENV/bin/python" -I -c \
    'import sys; print(sys.implementation.name, "%d.%d" % sys.version_info[:2], sys.base_prefix)' \
    2>/dev/null || true
}

# The project metadata pip installed from: pyproject.toml and the version, which setuptools
# reads from the package's __init__ (a changed version would leave stale metadata behind).
_project_fingerprint() {
  {
    cat "$PROJECT_ROOT/pyproject.toml"
    grep -E '^__version__' "$PROJECT_ROOT/gui/idconnect_tester/__init__.py"
  } | sha256sum | cut -d' ' -f1
}

_stamp_field() {
  [ -f "$INSTALL_STAMP" ] || return 0
  sed -n "s/^$1=//p" "$INSTALL_STAMP"
}

# The venv with the project installed (editable) and at least the given extras, e.g. "test,lint".
#
# pip runs only when something it installed from has changed since the last successful install,
# which the stamp file in the venv records: the interpreter, the venv's own path, the project
# metadata (pyproject.toml and the version) and the extras. Editable means the code itself is
# read from the checkout, so editing it needs no reinstall. A venv whose Python no longer runs,
# was made by another interpreter or was moved is made afresh; its console scripts would point
# to the old interpreter or place.
ensure_venv() {
  local wanted="$1" interpreter project extras python reason=""
  interpreter=$(_venv_interpreter)
  project=$(_project_fingerprint)
  extras=$wanted
  if [ ! -d "$VENV" ]; then
    reason="a new virtual environment"
  elif [ -z "$interpreter" ]; then
    # It is made afresh below (--clear): only if it is one, as IDCT_VENV may name any folder.
    if [ ! -f "$VENV/pyvenv.cfg" ] && [ -n "$(ls -A "$VENV")" ]; then
      echo "$VENV is not a virtual environment; move it away or set IDCT_VENV" >&2
      return 1
    fi
    reason="its Python no longer runs"
  elif [ ! -f "$INSTALL_STAMP" ]; then
    reason="the project is not installed there yet"
  elif [ "$(_stamp_field python)" != "$interpreter" ] || [ "$(_stamp_field venv)" != "$VENV" ]; then
    reason="it was made by another Python or in another place"
    interpreter=""
  elif [ "$(_stamp_field project)" != "$project" ]; then
    reason="pyproject.toml or the version changed"
  elif ! _has_extras "$(_stamp_field extras)" "$wanted"; then
    reason="the extras [$wanted] are not installed yet"
    extras=$(_merge_extras "$(_stamp_field extras)" "$wanted")
  else
    return 0
  fi
  echo "Installing ID Connect Tester into $VENV: $reason." >&2
  if [ -z "$interpreter" ]; then
    python=$(pick_python) || return 1
    if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
      ensure_debian_packages "python3-venv" || return 1
    fi
    "$python" -m venv --clear "$VENV" || return 1
    interpreter=$(_venv_interpreter)
  fi
  rm -f "$INSTALL_STAMP"
  local spec="$PROJECT_ROOT"
  [ -n "$extras" ] && spec="$PROJECT_ROOT[$extras]"
  # pip is quiet (its progress bars fill a terminal); a line says what the wait is for.
  echo "pip is installing the packages (PySide6 is large: a minute or so the first time)…" >&2
  if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec"; then
    echo "pip could not install $spec (is the package index reachable?)" >&2
    return 1
  fi
  printf 'python=%s\nvenv=%s\nproject=%s\nextras=%s\n' \
    "$interpreter" "$VENV" "$project" "$extras" >"$INSTALL_STAMP.new" &&
    mv "$INSTALL_STAMP.new" "$INSTALL_STAMP" &&
    echo "Installed." >&2
}
