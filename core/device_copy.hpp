#pragma once
// Host <-> device copies of flat arrays: the one place mcinr moves a
// std::vector to a View and back.
#include <stdexcept>
#include <string>
#include <vector>

#include "mcinr/backends/types.hpp"

namespace mcinr {

template <class T> using HostWindow = Kokkos::View<T*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;

// A new device View holding data.
template <class T>
Kokkos::View<T*, MemSpace> to_device(const std::vector<T>& data, const std::string& label = "mcinr::from_host") {
  Kokkos::View<T*, MemSpace> view(label, data.size());
  Kokkos::deep_copy(view, HostWindow<const T>(data.data(), data.size()));
  return view;
}

// Copies data into an existing device View of the same size; throws
// std::length_error where the sizes differ.
template <class T> void copy_to_device(const Kokkos::View<T*, MemSpace>& view, const std::vector<T>& data) {
  if (data.size() != view.extent(0))
    throw std::length_error("copy_to_device: " + std::to_string(data.size()) + " values for a view of " +
                            std::to_string(view.extent(0)));
  Kokkos::deep_copy(view, HostWindow<const T>(data.data(), data.size()));
}

// The View's values on the host.
template <class T> std::vector<typename std::remove_const<T>::type> to_host(const Kokkos::View<T*, MemSpace>& view) {
  std::vector<typename std::remove_const<T>::type> data(view.extent(0));
  Kokkos::deep_copy(HostWindow<typename std::remove_const<T>::type>(data.data(), data.size()), view);
  return data;
}

}  // namespace mcinr
