#pragma once
// The execution and memory spaces mcinr runs in, and the View shapes every
// room passes around: the bottom of the build (backends/, core/ and
// everything above include it; it includes only Kokkos). Matrices are
// column-major (LayoutLeft) and feature-major: column j is sample j, so a
// batch's columns can be split by contrast with a plain subview and handed
// to BLAS.
#include <Kokkos_Core.hpp>
#include <cstddef>

namespace mcinr {

using ExecSpace = Kokkos::DefaultExecutionSpace;
using MemSpace = ExecSpace::memory_space;

template <class Scalar> using Matrix = Kokkos::View<Scalar**, Kokkos::LayoutLeft, MemSpace>;
template <class Scalar> using Vector = Kokkos::View<Scalar*, MemSpace>;

// Non-owning views: what kernels and the GEMM interface take, so a subview,
// a managed View or a window into a flat buffer all fit.
template <class Scalar> using MatrixRef = Kokkos::View<Scalar**, Kokkos::LayoutLeft, MemSpace, Kokkos::MemoryUnmanaged>;
template <class Scalar>
using ConstMatrixRef = Kokkos::View<const Scalar**, Kokkos::LayoutLeft, MemSpace, Kokkos::MemoryUnmanaged>;
template <class Scalar> using VectorRef = Kokkos::View<Scalar*, MemSpace, Kokkos::MemoryUnmanaged>;
template <class Scalar> using ConstVectorRef = Kokkos::View<const Scalar*, MemSpace, Kokkos::MemoryUnmanaged>;

// Columns [begin, end) of a matrix, still LayoutLeft.
template <class View> auto columns(const View& m, std::size_t begin, std::size_t end) {
  return Kokkos::subview(m, Kokkos::ALL(), Kokkos::make_pair(begin, end));
}

}  // namespace mcinr
