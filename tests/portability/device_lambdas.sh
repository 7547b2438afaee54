#!/bin/sh
# nvcc refuses an extended __host__ __device__ lambda (KOKKOS_LAMBDA) inside a
# private or protected member function, and the Debian (Serial) build cannot
# see it (docs/design.md, "One source, every backend"). This lists every
# member function that is declared private or protected in a header of core/,
# pipeline/ or backends/ and whose definition in a .cpp holds KOKKOS_LAMBDA.
#   tests/portability/device_lambdas.sh SOURCE_DIR
set -eu
src=${1:?source dir}
hidden=$(mktemp) defined=$(mktemp)
trap 'rm -f "$hidden" "$defined"' EXIT
# "Class method" for members declared after private: or protected:.
for h in "$src"/core/*.hpp "$src"/pipeline/*.hpp "$src"/backends/*.hpp; do
  awk '
    /^[ \t]*(template[ \t]*<[^>]*>[ \t]*)?(class|struct)[ \t]+[A-Za-z_][A-Za-z_0-9]*/ {
      line = $0; sub(/.*(class|struct)[ \t]+/, "", line); sub(/[^A-Za-z_0-9].*/, "", line)
      if ($0 !~ /;[ \t]*$/) { cls = line; access = ($0 ~ /struct/) ? "public" : "private" }
    }
    /^[ \t]*public:/ { access = "public" }
    /^[ \t]*(private|protected):/ { access = "hidden" }
    cls != "" && access == "hidden" && /[A-Za-z_][A-Za-z_0-9]*[ \t]*\(/ {
      line = $0; sub(/\(.*/, "", line); n = split(line, w, /[^A-Za-z_0-9~]+/)
      if (n > 0 && w[n] != "") print cls, w[n]
    }
  ' "$h"
done | sort -u > "$hidden"
# "Class method" for definitions whose body holds KOKKOS_LAMBDA.
for c in "$src"/core/*.cpp "$src"/pipeline/*.cpp "$src"/backends/*.cpp; do
  awk '
    /^[A-Za-z_].*[A-Za-z_][A-Za-z_0-9]*(<[^>]*>)?::[A-Za-z_~][A-Za-z_0-9]*[ \t]*\(/ {
      line = $0; sub(/\(.*/, "", line); n = split(line, w, /::/)
      method = w[n]; cls = w[n - 1]; sub(/<.*/, "", cls); sub(/.*[ \t*&]/, "", cls)
      current = cls " " method
    }
    /^[A-Za-z_]/ && !/::/ && !/^template/ { current = "" }
    /KOKKOS_LAMBDA/ && current != "" { print current }
  ' "$c"
done | sort -u > "$defined"
found=$(comm -12 "$hidden" "$defined")
if [ -n "$found" ]; then
  echo "KOKKOS_LAMBDA inside private or protected member functions (nvcc refuses them):"
  echo "$found"
  exit 1
fi
echo "no KOKKOS_LAMBDA in a private or protected member function ($(wc -l < "$defined") member functions with kernels checked)"
