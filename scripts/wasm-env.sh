# The wasm32 build route, defined once; sourced by setup.sh and build.sh.
#
# Sets IRONLUNG_WASM_ROUTE to `rustup` (a rustup-installed wasm32-unknown-unknown target,
# linked by rustup's own rust-lld) or `debian` (Debian's rustc-web with std built from
# source, linked by lld-22's wasm-ld-22, C compiled by clang-22), and defines:
#   wasm_cargo ARGS...     cargo for the wasm32 target with that route's compiler and flags
#   wasm_env_check DIR     checks every tool of the route with a build of a few bytes in DIR
# shellcheck shell=bash

if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  IRONLUNG_WASM_ROUTE=rustup
else
  IRONLUNG_WASM_ROUTE=debian
fi

# simd128 (every evergreen browser, Node, Deno and Bun have it) lets hashbrown and memchr use
# 128-bit vectors.
wasm_cargo() {
  if [ "$IRONLUNG_WASM_ROUTE" = rustup ]; then
    RUSTFLAGS="-C target-feature=+simd128" cargo "$@" --target wasm32-unknown-unknown
  else
    # Debian's own cargo and rustc (rustup's stay first on PATH); a separate target dir, set
    # by the caller, keeps the two compilers from invalidating each other's builds.
    RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc RUSTFLAGS="-C target-feature=+simd128 -C linker=wasm-ld-22" \
      CC_wasm32_unknown_unknown=clang-22 AR_wasm32_unknown_unknown=llvm-ar-22 \
      /usr/bin/cargo "$@" --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort
  fi
}

wasm_env_check() {
  local dir=$1 sysroot
  mkdir -p "$dir"
  _wasm_fail() { echo "setup: the wasm32 toolchain ($IRONLUNG_WASM_ROUTE route) is broken: $*" >&2; return 1; }
  if [ "$IRONLUNG_WASM_ROUTE" = debian ]; then
    [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] || { _wasm_fail "/usr/bin/rustc or /usr/bin/cargo is missing (Debian packages rustc-web, cargo-web)"; return 1; }
    /usr/bin/rustc --print target-list | grep -qx wasm32-unknown-unknown ||
      { _wasm_fail "/usr/bin/rustc ($(/usr/bin/rustc --version)) has no wasm32-unknown-unknown target"; return 1; }
    sysroot=$(/usr/bin/rustc --print sysroot)
    [ -f "$sysroot/lib/rustlib/src/rust/library/Cargo.lock" ] ||
      { _wasm_fail "the standard library's source is missing under $sysroot/lib/rustlib/src (Debian package rust-web-src)"; return 1; }
    local tool
    for tool in wasm-ld-22 clang-22 llvm-ar-22; do
      command -v "$tool" >/dev/null || { _wasm_fail "$tool is not on PATH (Debian packages lld-22, clang-22, llvm-22)"; return 1; }
    done
    # The C compiler and the linker, end to end: zstd-sys needs the first, rustc the second.
    printf 'int ironlung_probe(int x) { return x + 1; }\n' > "$dir/probe.c"
    clang-22 --target=wasm32-unknown-unknown -O2 -c "$dir/probe.c" -o "$dir/probe.o" 2>"$dir/clang.log" ||
      { _wasm_fail "clang-22 cannot compile C for wasm32: $(head -c 400 "$dir/clang.log")"; return 1; }
    llvm-ar-22 crs "$dir/probe.a" "$dir/probe.o" 2>"$dir/ar.log" ||
      { _wasm_fail "llvm-ar-22 cannot archive a wasm32 object: $(head -c 400 "$dir/ar.log")"; return 1; }
    wasm-ld-22 --no-entry --export=ironlung_probe "$dir/probe.o" -o "$dir/probe.wasm" 2>"$dir/ld.log" ||
      { _wasm_fail "wasm-ld-22 cannot link a wasm32 object: $(head -c 400 "$dir/ld.log")"; return 1; }
    node -e '
      const m = new WebAssembly.Instance(new WebAssembly.Module(require("fs").readFileSync(process.argv[1])));
      if (m.exports.ironlung_probe(41) !== 42) process.exit(1);' "$dir/probe.wasm" ||
      { _wasm_fail "the module wasm-ld-22 linked does not run in Node"; return 1; }
  fi
  return 0
}
