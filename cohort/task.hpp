#pragma once
// One subject of a cohort, as each array task runs it (`mcinr cohort task RUN
// INDEX`): records the attempt in state/<subject>.txt, runs the subject's fit
// in-process with resume (pipeline::fit_subject), and records the outcome,
// the checkpoint of an interrupted fit, or the error line. A time-limit
// warning (SIGUSR1) requeues the task itself; SIGTERM is Slurm's to requeue.
#include <functional>
#include <string>

#include "mcinr/pipeline/subject_fit.hpp"

namespace mcinr::cohort {

// Returns the exit status: 0 (done, or done already), exit_interrupted (75)
// after a stop signal. A failed fit is recorded, then its exception is
// rethrown. say: the task's own lines; fit: the fit's progress. The caller
// installs the stop signal handlers (pipeline/stop_signal.hpp).
int run_task(const std::string& run_dir, int index, const std::function<void(const std::string&)>& say,
             pipeline::FitObserver& fit);

}  // namespace mcinr::cohort
