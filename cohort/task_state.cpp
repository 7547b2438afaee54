#include "mcinr/cohort/task_state.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>

namespace mcinr::cohort {

std::string to_string(TaskState state) {
  switch (state) {
    case TaskState::none:
      return "";
    case TaskState::running:
      return "running";
    case TaskState::done:
      return "done";
    case TaskState::failed:
      return "failed";
    case TaskState::interrupted:
      return "interrupted";
    case TaskState::unreadable:
      return "unknown";
  }
  return "unknown";
}

TaskState parse_task_state(const std::string& text) {
  if (text == "running") return TaskState::running;
  if (text == "done") return TaskState::done;
  if (text == "failed") return TaskState::failed;
  if (text == "interrupted") return TaskState::interrupted;
  return TaskState::unreadable;
}

std::string number_text(double v, const char* format) {
  if (!std::isfinite(v)) return "";
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

double parse_number(const std::string& s) {
  if (s.empty()) return NAN;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  return end && *end == '\0' ? v : NAN;
}

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return text;
}

io::Record TaskRecord::to_record() const {
  io::Record r = {{"state", to_string(state)},
                  {"subject", subject},
                  {"index", std::to_string(index)},
                  {"attempts", std::to_string(attempts)},
                  {"seconds", number_text(seconds, "%.1f")},
                  {"resumed_at", resumed_at}};
  const std::pair<const char*, const std::string*> optional[] = {
      {"job", &job},           {"host", &host},
      {"restarts", &restarts}, {"started", &started},
      {"updated", &updated},   {"error", &error},
      {"signal", &signal},     {"checkpoint", &checkpoint},
      {"requeue", &requeue},   {"stop_reason", &stop_reason}};
  for (const auto& [key, value] : optional)
    if (!value->empty()) r[key] = *value;
  if (state == TaskState::done) {
    r["epochs"] = std::to_string(epochs);
    for (const auto& [name, value] : metrics.named()) r["metric." + name] = number_text(value);
    for (const auto& [method, scores] : baselines)
      for (const auto& [name, value] : scores.named()) r["baseline." + method + "." + name] = number_text(value);
  }
  return r;
}

TaskRecord TaskRecord::from_record(const io::Record& r) {
  auto get = [&](const std::string& key) {
    const auto found = r.find(key);
    return found == r.end() ? std::string() : found->second;
  };
  TaskRecord t;
  t.state = get("state").empty() ? TaskState::none : parse_task_state(get("state"));
  if (t.state == TaskState::unreadable && get("error").empty()) t.error = "state '" + get("state") + "' is unknown";
  t.subject = get("subject");
  t.index = std::atoi(get("index").c_str());
  t.attempts = std::atoi(get("attempts").c_str());
  const double seconds = parse_number(get("seconds"));
  t.seconds = std::isfinite(seconds) ? seconds : 0.0;
  t.resumed_at = get("resumed_at");
  t.job = get("job");
  t.host = get("host");
  t.restarts = get("restarts");
  t.started = get("started");
  t.updated = get("updated");
  if (t.error.empty()) t.error = get("error");
  t.signal = get("signal");
  t.checkpoint = get("checkpoint");
  t.requeue = get("requeue");
  t.epochs = std::atoi(get("epochs").c_str());
  t.stop_reason = get("stop_reason");
  std::map<std::string, double> metrics;
  std::map<std::string, std::map<std::string, double>> baselines;
  for (const auto& [key, value] : r) {
    if (key.rfind("metric.", 0) == 0) metrics[key.substr(7)] = parse_number(value);
    if (key.rfind("baseline.", 0) == 0) {
      const auto dot = key.find('.', 9);
      if (dot != std::string::npos) baselines[key.substr(9, dot - 9)][key.substr(dot + 1)] = parse_number(value);
    }
  }
  t.metrics = pipeline::Scores::from_named(metrics);
  for (const auto& [method, values] : baselines) t.baselines[method] = pipeline::Scores::from_named(values);
  return t;
}

TaskRecord read_task_record(const std::string& path) {
  if (!std::filesystem::exists(path)) return {};
  try {
    return TaskRecord::from_record(io::read_record(path));
  } catch (const std::exception& e) {
    TaskRecord t;
    t.state = TaskState::unreadable;
    t.error = e.what();
    return t;
  }
}

void write_task_record(const std::string& path, const TaskRecord& record) {
  io::write_record(path, record.to_record(), "mcinr cohort task state of " + record.subject);
}

}  // namespace mcinr::cohort
