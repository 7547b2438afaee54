// Fuzz builds only (MCINR_FUZZ), included before every C++ source: Debian's
// ITK 5.2 generated itk_compiler_detection.h for GCC alone, so it stops any
// other compiler with "#error Unsupported compiler", and libFuzzer needs
// clang. Here that header is read first with __clang__ hidden and clang's
// GCC version (4.2) shown as 12.2, so it takes clang 14 for the GCC whose
// features it has; its include guard then makes ITK's own later include a
// no-op. The macros are restored at once.
#if defined(__clang__) && __has_include(<itk_compiler_detection.h>)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wbuiltin-macro-redefined"
#pragma push_macro("__clang__")
#pragma push_macro("__GNUC__")
#pragma push_macro("__GNUC_MINOR__")
#undef __clang__
#undef __GNUC__
#undef __GNUC_MINOR__
#define __GNUC__ 12
#define __GNUC_MINOR__ 2
#include <itk_compiler_detection.h>
#pragma pop_macro("__GNUC_MINOR__")
#pragma pop_macro("__GNUC__")
#pragma pop_macro("__clang__")
#pragma clang diagnostic pop
#endif
