#include "mcinr/io/registration.hpp"
#include "mcinr/io/atomic_file.hpp"
#include "mcinr/io/detail/itk_image.hpp"

#include <itkCenteredTransformInitializer.h>
#include <itkCommand.h>
#include <itkEuler3DTransform.h>
#include <itkGradientDescentOptimizerv4.h>
#include <itkImageRegistrationMethodv4.h>
#include <itkMattesMutualInformationImageToImageMetricv4.h>
#include <itkMultiThreaderBase.h>
#include <itkPointSet.h>
#include <itkRegistrationParameterScalesFromPhysicalShift.h>
#include <itkTransformFactoryBase.h>
#include <itkTransformFileReader.h>
#include <itkTransformFileWriter.h>
#include <itkTxtTransformIOFactory.h>

#include <nifti1_io.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace mcinr::io {

namespace {

using Image = detail::FloatImage;
using Euler = itk::Euler3DTransform<double>;
using Metric = itk::MattesMutualInformationImageToImageMetricv4<Image, Image>;
using Optimizer = itk::GradientDescentOptimizerv4Template<double>;
using Registration = itk::ImageRegistrationMethodv4<Image, Image, Euler>;
using Scales = itk::RegistrationParameterScalesFromPhysicalShift<Metric>;

constexpr double pi = 3.14159265358979323846;

// ITK and niftilib print their complaints on stderr; ours come back as
// exceptions (as in nifti.cpp).
void quiet() {
  static const bool done = [] {
    nifti_set_debug_level(0);
    itk::Object::GlobalWarningDisplayOff();
    return true;
  }();
  (void)done;
}

Euler::Pointer to_itk(const RigidTransform& t) {
  auto euler = Euler::New();
  Euler::InputPointType centre;
  Euler::OutputVectorType translation;
  for (int d = 0; d < 3; ++d) {
    centre[d] = t.center[d];
    translation[d] = t.translation[d];
  }
  euler->SetCenter(centre);
  euler->SetRotation(t.angles[0], t.angles[1], t.angles[2]);
  euler->SetTranslation(translation);
  return euler;
}

RigidTransform from_itk(const Euler& euler) {
  RigidTransform t;
  t.angles = {euler.GetAngleX(), euler.GetAngleY(), euler.GetAngleZ()};
  for (int d = 0; d < 3; ++d) {
    t.center[d] = euler.GetCenter()[d];
    t.translation[d] = euler.GetTranslation()[d];
  }
  return t;
}

void require_option(bool condition, const std::string& message) {
  if (!condition) throw std::invalid_argument(message);
}

// The world position of the centre of the field of view.
Euler::InputPointType fov_centre(const Geometry& g) {
  const auto c = g.world(0.5 * double(g.size[0] - 1), 0.5 * double(g.size[1] - 1), 0.5 * double(g.size[2] - 1));
  Euler::InputPointType p;
  for (int d = 0; d < 3; ++d) p[d] = c[d];
  return p;
}

void require_volume(const Volume& v, const char* what) {
  require_option(v.geometry.voxels() > 0 && v.voxels.size() == v.geometry.voxels(),
                 std::string(what) + ": the voxel count does not match the geometry");
}

// ITK's Mattes metric sums its work units' derivatives in the order they
// finish, so its result changes in the last bits from run to run unless it
// has one work unit; its threaders take their work-unit count from the
// global default when the metric is made. So it is made while that default
// is 1 (and the default restored): the same result on every run and
// machine (a fit's checkpoint knows its inputs by a hash of their geometry).
Metric::Pointer single_unit_metric(int bins) {
  const itk::ThreadIdType previous = itk::MultiThreaderBase::GetGlobalDefaultNumberOfThreads();
  itk::MultiThreaderBase::SetGlobalDefaultNumberOfThreads(1);
  Metric::Pointer metric;
  try {
    metric = Metric::New();
  } catch (...) {
    itk::MultiThreaderBase::SetGlobalDefaultNumberOfThreads(previous);
    throw;
  }
  itk::MultiThreaderBase::SetGlobalDefaultNumberOfThreads(previous);
  metric->SetMaximumNumberOfWorkUnits(1);
  metric->SetNumberOfHistogramBins(itk::SizeValueType(bins));
  metric->SetUseFixedImageGradientFilter(false);
  metric->SetUseMovingImageGradientFilter(false);
  return metric;
}

// splitmix64: a portable stream of uniform draws from a seed.
struct Draws {
  std::uint64_t state;
  double next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return double(z >> 11) * 0x1.0p-53;
  }
};

// Mattes MI of `moving` against `fixed` over a fixed set of points of the
// fixed scan (a random place in a random voxel each), for any transform.
class MutualInformationProbe {
 public:
  MutualInformationProbe(const Volume& fixed, const Volume& moving, const MutualInformationOptions& o) {
    quiet();
    require_volume(fixed, "the fixed scan");
    require_volume(moving, "the moving scan");
    require_option(o.bins >= 8 && o.bins <= 256, "the mutual information's bins must be between 8 and 256");
    require_option(o.samples >= 1000 && o.samples <= 100000000,
                   "the mutual information's samples must be between 1000 and 1e8");
    fixed_ = detail::to_itk_image(fixed);
    moving_ = detail::to_itk_image(moving);
    transform_ = Euler::New();
    auto points = Metric::FixedSampledPointSetType::New();
    points->Initialize();
    Draws draws{o.seed};
    const Geometry& g = fixed.geometry;
    for (std::size_t n = 0; n < o.samples; ++n) {
      double index[3];
      for (int d = 0; d < 3; ++d) {
        const double voxel = std::floor(draws.next() * double(g.size[d]));
        index[d] = std::min(voxel, double(g.size[d] - 1)) + draws.next() - 0.5;
      }
      const auto w = g.world(index[0], index[1], index[2]);
      Metric::FixedSampledPointSetType::PointType p;
      for (int d = 0; d < 3; ++d) p[d] = w[d];
      points->SetPoint(n, p);
    }
    metric_ = single_unit_metric(o.bins);
    metric_->SetFixedImage(fixed_);
    metric_->SetMovingImage(moving_);
    metric_->SetVirtualDomainFromImage(fixed_);
    metric_->SetMovingTransform(transform_);
    metric_->SetFixedSampledPointSet(points);
    metric_->SetUseSampledPointSet(true);
    try {
      metric_->Initialize();
    } catch (const itk::ExceptionObject& e) {
      throw std::runtime_error(std::string("mutual information: ") + e.GetDescription());
    }
    samples_ = o.samples;
  }

  double at(const RigidTransform& t) {
    const auto itk_transform = to_itk(t);
    transform_->SetFixedParameters(itk_transform->GetFixedParameters());
    transform_->SetParameters(itk_transform->GetParameters());
    double value = 0;
    std::string failure;
    try {
      value = metric_->GetValue();
    } catch (const itk::ExceptionObject& e) {
      failure = e.GetDescription();
    }
    // Fewer than a tenth of the points inside the moving scan: no overlap
    // worth scoring (ITK would throw or return its 'maximum' value).
    if (metric_->GetNumberOfValidPoints() * 10 < samples_)
      throw std::runtime_error("the scans hardly overlap in world space (" +
                               std::to_string(metric_->GetNumberOfValidPoints()) + " of " + std::to_string(samples_) +
                               " sample points of the fixed scan fall inside the moving one)");
    if (!failure.empty() || !std::isfinite(value)) throw std::runtime_error("mutual information: " + failure);
    return -value;  // ITK's metric is minimised: -MI
  }

 private:
  Image::Pointer fixed_, moving_;
  Euler::Pointer transform_;
  Metric::Pointer metric_;
  std::size_t samples_ = 0;
};

// Regular-step control of a physical-shift gradient descent: each step moves
// no point of the fixed field of view by more than the current step (mm);
// the step starts at the level's initial step, halves whenever the step
// reverses direction (in physical units), and the level ends below the
// minimum step.
class StepControl : public itk::Command {
 public:
  using Self = StepControl;
  using Pointer = itk::SmartPointer<Self>;
  itkNewMacro(Self);

  Optimizer* optimizer = nullptr;
  Registration* registration = nullptr;
  const RegistrationOptions* options = nullptr;

  void Execute(itk::Object* caller, const itk::EventObject& event) override {
    Execute(static_cast<const itk::Object*>(caller), event);
  }
  void Execute(const itk::Object*, const itk::EventObject& event) override {
    if (itk::MultiResolutionIterationEvent().CheckEvent(&event)) {
      step_ = options->initial_step_mm[registration->GetCurrentLevel()];
      optimizer->SetMaximumStepSizeInPhysicalUnits(step_);
      previous_.clear();
      return;
    }
    if (!itk::IterationEvent().CheckEvent(&event)) return;
    const auto& update = optimizer->GetGradient();  // the step just taken, in parameters
    const auto& scales = optimizer->GetScales();    // squared mm per unit of each parameter
    if (previous_.size() == update.Size()) {
      double dot = 0;
      for (unsigned i = 0; i < update.Size(); ++i) dot += scales[i] * update[i] * previous_[i];
      if (dot < 0) {
        step_ *= 0.5;
        optimizer->SetMaximumStepSizeInPhysicalUnits(step_);
      }
    }
    previous_.assign(update.begin(), update.end());
    if (step_ < options->minimum_step_mm) optimizer->StopOptimization();
  }

 private:
  double step_ = 1;
  std::vector<double> previous_;
};

void check_options(const RegistrationOptions& o) {
  const std::size_t levels = o.level_spacing_mm.size();
  require_option(levels >= 1 && levels <= 8, "registration: give 1 to 8 levels");
  require_option(o.smoothing_mm.size() == levels && o.initial_step_mm.size() == levels,
                 "registration: level_spacing_mm, smoothing_mm and initial_step_mm need one entry per level");
  for (std::size_t l = 0; l < levels; ++l) {
    require_option(o.level_spacing_mm[l] >= 0 && o.level_spacing_mm[l] <= 50,
                   "registration: a level's spacing must be in [0, 50] mm");
    require_option(o.smoothing_mm[l] >= 0 && o.smoothing_mm[l] <= 20,
                   "registration: a level's smoothing must be in [0, 20] mm");
    require_option(o.initial_step_mm[l] > 0 && o.initial_step_mm[l] <= 50,
                   "registration: a level's initial step must be in (0, 50] mm");
  }
  require_option(o.minimum_step_mm > 0 && o.minimum_step_mm <= 10,
                 "registration: the minimum step must be in (0, 10] mm");
  require_option(o.iterations >= 1 && o.iterations <= 100000, "registration: iterations must be between 1 and 1e5");
  require_option(o.sampling_share > 0 && o.sampling_share <= 1, "registration: the sampling share must be in (0, 1]");
  require_option(o.max_samples >= 1000, "registration: max_samples must be at least 1000");
  require_option(o.bins >= 8 && o.bins <= 256, "registration: bins must be between 8 and 256");
}

}  // namespace

std::array<double, 9> RigidTransform::rotation() const {
  const auto euler = to_itk(*this);
  std::array<double, 9> r{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) r[3 * i + j] = euler->GetMatrix()(i, j);
  return r;
}

std::array<double, 3> RigidTransform::apply(const std::array<double, 3>& x) const {
  const auto r = rotation();
  std::array<double, 3> y{};
  for (int i = 0; i < 3; ++i) {
    y[i] = center[i] + translation[i];
    for (int j = 0; j < 3; ++j) y[i] += r[3 * i + j] * (x[j] - center[j]);
  }
  return y;
}

std::array<double, 3> RigidTransform::apply_inverse(const std::array<double, 3>& p) const {
  const auto r = rotation();
  std::array<double, 3> x{};
  for (int i = 0; i < 3; ++i) {
    x[i] = center[i];
    for (int j = 0; j < 3; ++j) x[i] += r[3 * j + i] * (p[j] - center[j] - translation[j]);
  }
  return x;
}

std::array<double, 3> RigidTransform::angles_degrees() const {
  return {angles[0] * 180 / pi, angles[1] * 180 / pi, angles[2] * 180 / pi};
}

double RigidTransform::rotation_degrees() const {
  const auto r = rotation();
  const double c = std::clamp(0.5 * (r[0] + r[4] + r[8] - 1), -1.0, 1.0);
  return std::acos(c) * 180 / pi;
}

bool RigidTransform::is_identity() const {
  for (int d = 0; d < 3; ++d)
    if (angles[d] != 0 || translation[d] != 0) return false;
  return true;
}

RigidTransform register_rigid(const Volume& fixed, const Volume& moving, const RegistrationOptions& o) {
  quiet();
  check_options(o);
  require_volume(fixed, "the fixed scan");
  require_volume(moving, "the moving scan");
  const Image::Pointer f = detail::to_itk_image(fixed), m = detail::to_itk_image(moving);

  auto transform = Euler::New();
  if (o.start == RigidStart::header) {
    transform->SetCenter(fov_centre(fixed.geometry));
  } else {
    using Initializer = itk::CenteredTransformInitializer<Euler, Image, Image>;
    auto initializer = Initializer::New();
    initializer->SetTransform(transform);
    initializer->SetFixedImage(f);
    initializer->SetMovingImage(m);
    if (o.start == RigidStart::moments)
      initializer->MomentsOn();
    else
      initializer->GeometryOn();
    try {
      initializer->InitializeTransform();
    } catch (const itk::ExceptionObject& e) {
      throw std::runtime_error(std::string("rigid registration: cannot initialise: ") + e.GetDescription());
    }
  }

  const Metric::Pointer metric = single_unit_metric(o.bins);

  auto scales = Scales::New();
  scales->SetMetric(metric);
  auto optimizer = Optimizer::New();
  optimizer->SetScalesEstimator(scales);
  optimizer->SetDoEstimateLearningRateAtEachIteration(true);
  optimizer->SetDoEstimateLearningRateOnce(false);
  optimizer->SetNumberOfIterations(itk::SizeValueType(o.iterations));
  // The steps end a level, not ITK's window of metric values.
  optimizer->SetMinimumConvergenceValue(-std::numeric_limits<double>::max());

  auto registration = Registration::New();
  registration->SetFixedImage(f);
  registration->SetMovingImage(m);
  registration->SetMetric(metric);
  registration->SetOptimizer(optimizer);
  registration->SetInitialTransform(transform);
  registration->InPlaceOn();

  const std::size_t levels = o.level_spacing_mm.size();
  registration->SetNumberOfLevels(levels);
  Registration::SmoothingSigmasArrayType sigmas(levels);
  Registration::MetricSamplingPercentageArrayType shares(levels);
  const Geometry& g = fixed.geometry;
  for (std::size_t l = 0; l < levels; ++l) {
    Registration::ShrinkFactorsPerDimensionContainerType shrink;
    double voxels = 1;
    for (int d = 0; d < 3; ++d) {
      // Shrink an axis to about the level's spacing, never finer than it
      // is, and keep at least 4 voxels along it.
      long factor = 1;
      if (o.level_spacing_mm[l] > 0) factor = std::max(1L, std::lround(o.level_spacing_mm[l] / g.spacing[d]));
      factor = std::min(factor, std::max(1L, long(g.size[d] / 4)));
      shrink[d] = unsigned(factor);
      voxels *= std::ceil(double(g.size[d]) / double(factor));
    }
    registration->SetShrinkFactorsPerDimension(unsigned(l), shrink);
    sigmas[l] = o.smoothing_mm[l];
    shares[l] = std::min(o.sampling_share, double(o.max_samples) / voxels);
  }
  registration->SetSmoothingSigmasPerLevel(sigmas);
  registration->SmoothingSigmasAreSpecifiedInPhysicalUnitsOn();
  registration->SetMetricSamplingStrategy(Registration::MetricSamplingStrategyEnum::RANDOM);
  registration->SetMetricSamplingPercentagePerLevel(shares);
  registration->MetricSamplingReinitializeSeed(int(o.seed & 0x7fffffff));

  auto control = StepControl::New();
  control->optimizer = optimizer;
  control->registration = registration;
  control->options = &o;
  registration->AddObserver(itk::MultiResolutionIterationEvent(), control);
  optimizer->AddObserver(itk::IterationEvent(), control);

  try {
    registration->Update();
  } catch (const itk::ExceptionObject& e) {
    throw std::runtime_error(std::string("rigid registration failed: ") + e.GetDescription());
  }
  const auto* result = dynamic_cast<const Euler*>(registration->GetTransform());
  if (!result) throw std::logic_error("rigid registration: ITK returned another kind of transform");
  return from_itk(*result);
}

Geometry corrected_geometry(const Geometry& moving, const RigidTransform& t) {
  Geometry g = moving;
  const auto r = t.rotation();
  // Direction R^-1 D = R^T D.
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      double sum = 0;
      for (int k = 0; k < 3; ++k) sum += r[3 * k + i] * moving.direction[3 * k + j];
      g.direction[3 * i + j] = sum;
    }
  g.origin = t.apply_inverse(moving.origin);
  return g;
}

double mutual_information(const Volume& fixed, const Volume& moving, const RigidTransform& transform,
                          const MutualInformationOptions& options) {
  MutualInformationProbe probe(fixed, moving, options);
  return probe.at(transform);
}

double AlignmentCheck::shift_mm() const {
  return std::sqrt(shift[0] * shift[0] + shift[1] * shift[1] + shift[2] * shift[2]);
}

std::string AlignmentCheck::summary() const {
  char text[320];
  const int n = std::snprintf(text, sizeof text, "MI %.4f at zero, %.4f at a shift of (%.2f, %.2f, %.2f) mm (%+.1f%%)",
                              mi_at_zero, mi_at_shift, shift[0], shift[1], shift[2], 100 * gain);
  std::string line(text, std::size_t(std::max(0, n)));
  if (misaligned) {
    std::snprintf(text, sizeof text, ": the scans look misaligned by about %.1f mm", shift_mm());
    line += text;
  } else {
    line += ": no sign of misalignment";
  }
  return line;
}

AlignmentCheck check_alignment(const Volume& a, const Volume& b, const AlignmentCheckOptions& o) {
  require_option(!o.shifts_mm.empty(), "alignment check: give at least one shift");
  for (double s : o.shifts_mm) require_option(s > 0 && s <= 50, "alignment check: shifts must be in (0, 50] mm");
  const double smallest = *std::min_element(o.shifts_mm.begin(), o.shifts_mm.end());
  require_option(o.finest_step_mm > 0 && o.finest_step_mm <= smallest,
                 "alignment check: the finest step must be positive and at most the smallest shift");
  require_option(o.warn_shift_mm >= 0 && o.warn_gain >= 0, "alignment check: the warning thresholds must be >= 0");
  MutualInformationProbe probe(a, b, o.mi);
  AlignmentCheck check;
  auto mi_at = [&](const std::array<double, 3>& shift) {
    RigidTransform t;
    t.translation = shift;
    ++check.evaluations;
    return probe.at(t);
  };
  check.mi_at_zero = check.mi_at_shift = mi_at({0, 0, 0});
  for (double s : o.shifts_mm)
    for (int axis = 0; axis < 3; ++axis)
      for (double sign : {-1.0, 1.0}) {
        std::array<double, 3> shift{0, 0, 0};
        shift[axis] = sign * s;
        const double mi = mi_at(shift);
        if (mi > check.mi_at_shift) {
          check.mi_at_shift = mi;
          check.shift = shift;
        }
      }
  // Compass search around the best shift, steps halving.
  for (double step = smallest / 2; step >= o.finest_step_mm * (1 - 1e-9); step /= 2) {
    for (bool moved = true; moved && check.evaluations < 400;) {
      moved = false;
      for (int axis = 0; axis < 3 && !moved; ++axis)
        for (double sign : {-1.0, 1.0}) {
          std::array<double, 3> shift = check.shift;
          shift[axis] += sign * step;
          const double mi = mi_at(shift);
          if (mi > check.mi_at_shift) {
            check.mi_at_shift = mi;
            check.shift = shift;
            moved = true;
            break;
          }
        }
    }
  }
  check.gain = check.mi_at_zero > 0 ? check.mi_at_shift / check.mi_at_zero - 1 : 0;
  check.misaligned = check.shift_mm() >= o.warn_shift_mm && check.gain >= o.warn_gain;
  return check;
}

void write_transform(const std::string& path, const RigidTransform& t) {
  quiet();
  static const bool registered = [] {
    itk::TxtTransformIOFactory::RegisterOneFactory();
    return true;
  }();
  (void)registered;
  const auto ends_with = [&](const char* tail) {
    const std::size_t n = std::strlen(tail);
    return path.size() > n && path.compare(path.size() - n, n, tail) == 0;
  };
  if (!ends_with(".tfm") && !ends_with(".txt"))
    throw std::invalid_argument(path + ": a transform file's name must end in .tfm or .txt");
  AtomicFile file(path, ends_with(".tfm") ? ".tfm" : ".txt");
  auto writer = itk::TransformFileWriterTemplate<double>::New();
  const auto euler = to_itk(t);
  writer->SetInput(euler);
  writer->SetFileName(file.temporary_path());
  try {
    writer->Update();
  } catch (const itk::ExceptionObject& e) {
    throw std::runtime_error(path + ": cannot write (" + e.GetDescription() + ")");
  }
  file.commit();
}

// ITK 5.2's text reader hands a transform as many parameters as the file
// lists, and Euler3DTransform reads six whatever it got (ASan: a heap
// overflow on a file with fewer). So the text is checked first: one
// transform, an Euler3DTransform_double_3_3, with exactly 6 parameters and 3
// or 4 fixed parameters (the centre; ITK writes a 4th, its ZYX flag), all
// finite numbers.
namespace {
void require_rigid_transform_text(const std::string& path) {
  const auto size = std::filesystem::file_size(path);
  if (size > (1u << 16)) throw std::runtime_error(path + ": too large for a rigid transform file");
  std::ifstream in(path, std::ios::binary);
  std::string line;
  int transforms = 0, parameters = -1, fixed = -1;
  auto count_numbers = [&](const std::string& rest) {
    std::istringstream values(rest);
    std::string word;
    int count = 0;
    while (values >> word) {
      char* end = nullptr;
      const double v = std::strtod(word.c_str(), &end);
      if (end == word.c_str() || *end != '\0' || !std::isfinite(v))
        throw std::runtime_error(path + ": '" + word + "' is not a finite number");
      ++count;
    }
    return count;
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("Transform:", 0) == 0) {
      ++transforms;
      std::istringstream words(line.substr(10));
      std::string kind;
      words >> kind;
      if (kind != "Euler3DTransform_double_3_3")
        throw std::runtime_error(path + ": holds a " + kind + ", not the Euler3DTransform of a rigid registration");
    } else if (line.rfind("FixedParameters:", 0) == 0) {
      fixed = count_numbers(line.substr(16));
    } else if (line.rfind("Parameters:", 0) == 0) {
      parameters = count_numbers(line.substr(11));
    }
  }
  if (transforms != 1) throw std::runtime_error(path + ": expected exactly one transform in the file");
  if (parameters != 6 || (fixed != 3 && fixed != 4))
    throw std::runtime_error(path + ": a rigid transform has 6 parameters and 3 or 4 fixed parameters (the centre, "
                                    "and whether ZYX)");
}
}  // namespace

RigidTransform read_transform(const std::string& path) {
  quiet();
  static const bool registered = [] {
    itk::TxtTransformIOFactory::RegisterOneFactory();
    itk::TransformFactoryBase::RegisterDefaultTransforms();
    return true;
  }();
  (void)registered;
  if (!std::filesystem::is_regular_file(path)) throw std::runtime_error(path + ": no such file");
  require_rigid_transform_text(path);
  auto reader = itk::TransformFileReaderTemplate<double>::New();
  reader->SetFileName(path);
  try {
    reader->Update();
  } catch (const itk::ExceptionObject& e) {
    throw std::runtime_error(path + ": not a readable ITK transform file (" + e.GetDescription() + ")");
  }
  const auto* list = reader->GetTransformList();
  if (!list || list->size() != 1) throw std::runtime_error(path + ": expected exactly one transform in the file");
  const auto* euler = dynamic_cast<const Euler*>(list->front().GetPointer());
  if (!euler)
    throw std::runtime_error(path + ": holds a " + list->front()->GetNameOfClass() +
                             ", not the Euler3DTransform of a rigid registration");
  return from_itk(*euler);
}

void rewrite_nifti_geometry(const std::string& in, const std::string& out, const Geometry& g) {
  quiet();
  const auto ends_with = [&](const char* tail) {
    const std::size_t n = std::strlen(tail);
    return out.size() > n && out.compare(out.size() - n, n, tail) == 0;
  };
  const bool gz_out = ends_with(".nii.gz");
  if (!gz_out && !ends_with(".nii")) throw std::invalid_argument(out + ": output name must end in .nii or .nii.gz");
  if (!std::filesystem::is_regular_file(in)) throw std::runtime_error(in + ": no such file");
  int swapped = 0;
  std::unique_ptr<nifti_1_header, decltype(&std::free)> header(nifti_read_header(in.c_str(), &swapped, 1), &std::free);
  if (!header) throw std::runtime_error(in + ": unreadable NIfTI header");
  nifti_1_header& h = *header;
  if (std::memcmp(h.magic, "n+1", 4) != 0)
    throw std::runtime_error(in + ": not a single-file NIfTI-1 image (.nii): its header cannot be rewritten");
  if (h.dim[0] < 3 || h.dim[0] > 7) throw std::runtime_error(in + ": not a 3D image");
  std::size_t count = 1;
  for (int d = 1; d <= h.dim[0]; ++d) {
    if (h.dim[d] < 1) throw std::runtime_error(in + ": the header has a dimension below 1");
    if (d > 3 && h.dim[d] != 1) throw std::runtime_error(in + ": not a 3D image (more than one volume)");
    count *= std::size_t(h.dim[d]);
  }
  for (int d = 0; d < 3; ++d) {
    if (std::size_t(h.dim[d + 1]) != g.size[d])
      throw std::invalid_argument(in + ": the new geometry's size differs from the file's");
    const double spacing = std::fabs(double(h.pixdim[d + 1]));
    if (!(std::fabs(spacing - g.spacing[d]) <= 1e-4 * std::max(spacing, 1e-6)))
      throw std::invalid_argument(in + ": the new geometry's spacing differs from the file's");
  }
  int width = 0, swap_size = 0;
  nifti_datatype_sizes(h.datatype, &width, &swap_size);
  if (width <= 0) throw std::runtime_error(in + ": unknown datatype " + std::to_string(h.datatype));
  if (!(h.vox_offset >= 348 && h.vox_offset < 1e9)) throw std::runtime_error(in + ": bad vox_offset in the header");
  // Sizes from the header against the file before anything is allocated
  // (as read_nifti checks them).
  const double declared = double(h.vox_offset) + double(count) * double(width);
  const double file_bytes = double(std::filesystem::file_size(in));
  const bool gz_in = nifti_is_gzfile(in.c_str()) != 0;
  if (double(count) > 2e9) throw std::runtime_error(in + ": the header declares more than 2e9 voxels");
  if (!gz_in && file_bytes < declared)
    throw std::runtime_error(in + ": truncated: fewer bytes than its header promises");
  if (gz_in && declared > 1032.0 * file_bytes + 1e6)
    throw std::runtime_error(in +
                             ": the header declares more voxels than its gzip file can hold: truncated or damaged");

  // Everything after the 348-byte header, as the file holds it: the
  // extender, extensions, padding and the voxels.
  const std::size_t rest = std::size_t(h.vox_offset) - 348 + count * std::size_t(width);
  std::vector<unsigned char> bytes(348 + rest);
  {
    znzFile file = znzopen(in.c_str(), "rb", gz_in ? 1 : 0);
    if (znz_isnull(file)) throw std::runtime_error(in + ": cannot open");
    std::size_t done = 0;
    while (done < bytes.size()) {
      const std::size_t want = std::min<std::size_t>(bytes.size() - done, std::size_t(1) << 24);
      const std::size_t got = znzread(bytes.data() + done, 1, want, file);
      if (got == 0 || got > want) break;  // end of file, or zlib's -1
      done += got;
    }
    znzclose(file);
    if (done < bytes.size())
      throw std::runtime_error(in + ": truncated or damaged: fewer bytes than its header promises");
  }

  // ITK's LPS geometry as NIfTI's RAS affine: x and y change sign.
  mat44 affine{};
  const double flip[3] = {-1, -1, 1};
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) affine.m[r][c] = float(flip[r] * g.direction[3 * r + c] * g.spacing[c]);
    affine.m[r][3] = float(flip[r] * g.origin[r]);
  }
  affine.m[3][3] = 1;
  float qb, qc, qd, qx, qy, qz, dx, dy, dz, qfac;
  nifti_mat44_to_quatern(affine, &qb, &qc, &qd, &qx, &qy, &qz, &dx, &dy, &dz, &qfac);
  h.quatern_b = qb;
  h.quatern_c = qc;
  h.quatern_d = qd;
  h.qoffset_x = qx;
  h.qoffset_y = qy;
  h.qoffset_z = qz;
  h.pixdim[0] = qfac;
  for (int c = 0; c < 4; ++c) {
    h.srow_x[c] = affine.m[0][c];
    h.srow_y[c] = affine.m[1][c];
    h.srow_z[c] = affine.m[2][c];
  }
  if (h.qform_code <= 0) h.qform_code = NIFTI_XFORM_SCANNER_ANAT;
  if (h.sform_code <= 0) h.sform_code = NIFTI_XFORM_SCANNER_ANAT;
  if (swapped) swap_nifti_header(&h, 1);  // back to the file's byte order
  std::memcpy(bytes.data(), &h, 348);

  AtomicFile file(out, gz_out ? ".nii.gz" : ".nii");
  znzFile writer = znzopen(file.temporary_path().c_str(), "wb", gz_out ? 1 : 0);
  if (znz_isnull(writer)) throw std::runtime_error(out + ": cannot write");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const std::size_t want = std::min<std::size_t>(bytes.size() - done, std::size_t(1) << 24);
    const std::size_t wrote = znzwrite(bytes.data() + done, 1, want, writer);
    if (wrote != want) break;
    done += want;
  }
  const int closed = znzclose(writer);
  if (done < bytes.size() || closed != 0) throw std::runtime_error(out + ": cannot write (disk full?)");
  file.commit();
}

}  // namespace mcinr::io
