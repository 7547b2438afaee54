#include "mcinr/core/reductions.hpp"

namespace mcinr {

ValueRange value_range(Kokkos::View<const float*, MemSpace> x, Kokkos::View<const std::uint8_t*, MemSpace> mask) {
  const bool masked = mask.extent(0) > 0;
  ValueRange r;
  Kokkos::parallel_reduce(
      "mcinr::masked_min", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)),
      KOKKOS_LAMBDA(const std::size_t i, double& m) {
        if ((!masked || mask(i)) && double(x(i)) < m) m = x(i);
      },
      Kokkos::Min<double>(r.lo));
  Kokkos::parallel_reduce(
      "mcinr::masked_max", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)),
      KOKKOS_LAMBDA(const std::size_t i, double& m) {
        if ((!masked || mask(i)) && double(x(i)) > m) m = x(i);
      },
      Kokkos::Max<double>(r.hi));
  return r;
}

}  // namespace mcinr
