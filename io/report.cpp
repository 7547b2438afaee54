#include "mcinr/io/report.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "mcinr/io/atomic_file.hpp"
#include "mcinr/io/png.hpp"

namespace mcinr::io {

std::string html_escape(const std::string& text) {
  static const char replacement[] = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&#39;";
          break;
        default:
          if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
            out += replacement;
          else
            out += char(c);
      }
      ++i;
      continue;
    }
    // A multi-byte sequence: its length, and the range its second byte
    // must lie in (no overlong forms, no surrogates, nothing past U+10FFFF).
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    }
    bool valid = length > 0 && i + length <= n && s[i + 1] >= low && s[i + 1] <= high;
    for (std::size_t k = 2; valid && k < length; ++k) valid = s[i + k] >= 0x80 && s[i + k] <= 0xBF;
    if (valid) {
      out.append(text, i, length);
      i += length;
    } else {
      out += replacement;
      ++i;
    }
  }
  return out;
}

std::string base64(const std::string& bytes) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = std::uint32_t(std::uint8_t(bytes[i])) << 16 |
                            std::uint32_t(std::uint8_t(bytes[i + 1])) << 8 | std::uint8_t(bytes[i + 2]);
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (i < bytes.size()) {
    const bool two = i + 1 < bytes.size();
    const std::uint32_t v =
        std::uint32_t(std::uint8_t(bytes[i])) << 16 | (two ? std::uint32_t(std::uint8_t(bytes[i + 1])) << 8 : 0);
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += two ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

namespace {

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

std::string data_uri(const std::string& png) { return "data:image/png;base64," + base64(png); }

// Percent-encodes all but unreserved characters and '/', so that a link is
// always a relative address (no scheme: "javascript:" cannot pass).
std::string relative_href(const std::string& path) {
  std::string out;
  for (const unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += char(c);
    } else {
      char buffer[4];
      std::snprintf(buffer, sizeof buffer, "%%%02X", c);
      out += buffer;
    }
  }
  return out;
}

const char* page_style = R"(
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; font-size: 14px; color: #222;
       max-width: 1280px; margin: 0 auto; padding: 0 24px 48px; }
h1 { font-size: 22px; margin: 24px 0 8px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #ccc; }
h3 { font-size: 15px; margin: 20px 0 6px; }
nav { font-size: 13px; margin-bottom: 12px; }
nav a { margin-right: 14px; color: #2a6ebb; text-decoration: none; }
table { border-collapse: collapse; }
table.kv th { text-align: left; font-weight: 600; padding: 2px 16px 2px 0; vertical-align: top; }
table.kv td { padding: 2px 0; font-variant-numeric: tabular-nums; }
table.grid th, table.grid td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
table.grid th { background: #f3f3f3; }
table.grid td { font-variant-numeric: tabular-nums; }
tr.failed td { background: #fdecea; }
.warnings { background: #fff4ce; border-left: 5px solid #e0a000; padding: 8px 16px; margin: 12px 0; }
.warnings ul { margin: 4px 0; padding-left: 20px; }
.warnings.none { background: #eef7ee; border-left-color: #4caf50; }
ul.geometry { font-family: Menlo, Consolas, monospace; font-size: 13px; padding-left: 20px; }
table.panels { background: #000; margin-bottom: 8px; }
table.panels th { background: #fff; font-weight: 600; padding: 4px 8px; text-align: center; }
table.panels th.row { text-align: right; }
table.panels td { padding: 2px; text-align: center; vertical-align: middle; }
table.panels img { display: block; margin: 0 auto; }
img.magnified { image-rendering: pixelated; }
.small { font-size: 11px; font-weight: normal; color: #666; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.chart { border: 1px solid #ddd; }
.chart text { font-family: inherit; font-size: 11px; fill: #333; }
.chart text.title { font-size: 13px; font-weight: 600; }
.chart text.label { font-size: 12px; }
.chart line.grid { stroke: #e8e8e8; }
.chart line.axis { stroke: #444; }
.note { color: #666; font-size: 12px; }
td.thumb { background: #000; text-align: center; }
td.thumb a { display: block; margin-top: 4px; color: #9cf; }
td.thumb.empty a { color: #2a6ebb; }
td.detail { max-width: 360px; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; }
td.thumb.empty { background: #f6f6f6; color: #777; font-style: italic; }
footer { margin-top: 40px; color: #999; font-size: 12px; }
)";

void page_start(std::ostringstream& html, const std::string& title) {
  html << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
       << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
       << "<title>" << html_escape(title) << "</title>\n<style>" << page_style << "</style>\n</head>\n<body>\n"
       << "<h1>" << html_escape(title) << "</h1>\n";
}

void page_end(std::ostringstream& html, const std::string& what) {
  html << "<footer>" << html_escape(what) << ", written by mcinr.</footer>\n</body>\n</html>\n";
}

void key_values(std::ostringstream& html, const std::vector<std::pair<std::string, std::string>>& rows,
                const char* table_class) {
  if (rows.empty()) {
    html << "<p class=\"note\">None given.</p>\n";
    return;
  }
  html << "<table class=\"" << table_class << "\">\n";
  for (const auto& [key, value] : rows)
    html << "<tr><th>" << html_escape(key) << "</th><td>" << html_escape(value) << "</td></tr>\n";
  html << "</table>\n";
}

void warning_box(std::ostringstream& html, const std::vector<std::string>& warnings) {
  if (warnings.empty()) {
    html << "<div class=\"warnings none\">No warnings.</div>\n";
    return;
  }
  html << "<div class=\"warnings\"><strong>" << warnings.size() << (warnings.size() == 1 ? " warning" : " warnings")
       << "</strong>\n<ul>\n";
  for (const auto& w : warnings) html << "<li>" << html_escape(w) << "</li>\n";
  html << "</ul>\n</div>\n";
}

void grid_table(std::ostringstream& html, const ReportTable& table) {
  if (!table.title.empty()) html << "<h3>" << html_escape(table.title) << "</h3>\n";
  html << "<table class=\"grid\">\n<tr>";
  for (const auto& c : table.columns) html << "<th>" << html_escape(c) << "</th>";
  html << "</tr>\n";
  for (const auto& row : table.rows) {
    if (row.size() != table.columns.size())
      throw std::invalid_argument("report table '" + table.title + "': a row of " + std::to_string(row.size()) +
                                  " cells under " + std::to_string(table.columns.size()) + " columns");
    html << "<tr>";
    for (const auto& cell : row) html << "<td>" << html_escape(cell) << "</td>";
    html << "</tr>\n";
  }
  html << "</table>\n";
}

// ---- Mid-slice panels ------------------------------------------------------

// The 0.5 and 99.5 percentiles of the finite voxels (of at most about 2^21
// of them, evenly strided); [0, 1] where none is finite, widened where flat.
std::pair<float, float> robust_range(const Volume& v) {
  const std::size_t n = v.voxels.size(), stride = std::max<std::size_t>(1, n >> 21);
  std::vector<float> values;
  values.reserve(n / stride + 1);
  for (std::size_t i = 0; i < n; i += stride)
    if (std::isfinite(v.voxels[i])) values.push_back(v.voxels[i]);
  if (values.empty()) return {0.0f, 1.0f};
  auto percentile = [&](double p) {
    const std::size_t k = std::min(values.size() - 1, std::size_t(p * double(values.size() - 1) + 0.5));
    std::nth_element(values.begin(), values.begin() + k, values.end());
    return values[k];
  };
  const float lo = percentile(0.005), hi = percentile(0.995);
  if (hi > lo) return {lo, hi};
  return {lo, lo + (std::fabs(lo) > 0 ? std::fabs(lo) : 1.0f)};
}

// Rows of the panels: axial (x right, y up, at z / 2), coronal (x right, z
// up, at y / 2), sagittal (y right, z up, at x / 2), as slices.png draws them.
struct SliceRow {
  const char* name;
  int across, up, through;  // voxel axes
};
constexpr SliceRow slice_rows[3] = {{"axial", 0, 1, 2}, {"coronal", 0, 2, 1}, {"sagittal", 1, 2, 0}};
constexpr const char* axis_names = "xyz";

GrayPicture mid_slice(const Volume& v, const SliceRow& row, float lo, float hi) {
  const auto& s = v.geometry.size;
  GrayPicture p;
  p.width = s[row.across];
  p.height = s[row.up];
  p.pixels.resize(p.width * p.height);
  std::size_t index[3];
  index[row.through] = s[row.through] / 2;
  const float scale = 255.0f / (hi - lo);
  for (std::size_t y = 0; y < p.height; ++y)
    for (std::size_t x = 0; x < p.width; ++x) {
      index[row.across] = x;
      index[row.up] = p.height - 1 - y;  // up is up on screen
      const float value = v.at(index[0], index[1], index[2]);
      const float level = std::isfinite(value) ? std::clamp((value - lo) * scale, 0.0f, 255.0f) : 0.0f;
      p.pixels[y * p.width + x] = std::uint8_t(level + 0.5f);
    }
  return p;
}

void panels_html(std::ostringstream& html, const ReportPanels& panels) {
  if (panels.columns.empty()) throw std::invalid_argument("report panels '" + panels.title + "': no columns");
  for (const auto& c : panels.columns)
    if (!c.volume)
      throw std::invalid_argument("report panels '" + panels.title + "': column '" + c.label + "' has no volume");
  const Geometry& g = panels.columns.front().volume->geometry;
  if (g.voxels() == 0) throw std::invalid_argument("report panels '" + panels.title + "': an empty grid");
  for (const auto& c : panels.columns)
    if (c.volume->geometry.size != g.size || c.volume->voxels.size() != g.voxels())
      throw std::invalid_argument("report panels '" + panels.title + "': the columns lie on different grids");

  // Shown in millimetres (anisotropic grids keep their true shape): the
  // largest field of view of the three rows maps to between 192 and 320
  // pixels, near the grid's own size (at least 1). A spacing that is not a
  // positive number counts as 1 mm.
  double mm[3];
  for (int a = 0; a < 3; ++a) mm[a] = std::isfinite(g.spacing[a]) && g.spacing[a] > 0 ? g.spacing[a] : 1.0;
  double largest_mm = 0;
  for (const auto& row : slice_rows)
    largest_mm = std::max({largest_mm, g.size[row.across] * mm[row.across], g.size[row.up] * mm[row.up]});
  const double target = std::clamp<double>(std::max({g.size[0], g.size[1], g.size[2]}), 192, 320);
  const double pixels_per_mm = target / largest_mm;
  auto shown = [&](int axis) {
    return int(std::clamp(std::lround(g.size[axis] * mm[axis] * pixels_per_mm), 1L, long(target)));
  };

  std::vector<std::pair<float, float>> windows;
  for (const auto& c : panels.columns) windows.push_back(robust_range(*c.volume));

  html << "<h3>" << html_escape(panels.title) << "</h3>\n<table class=\"panels\">\n<tr><th></th>";
  for (std::size_t i = 0; i < panels.columns.size(); ++i)
    html << "<th>" << html_escape(panels.columns[i].label) << "<br/><span class=\"small\">window "
         << html_escape(format("%.4g", windows[i].first)) << " to " << html_escape(format("%.4g", windows[i].second))
         << "</span></th>";
  html << "</tr>\n";
  for (const auto& row : slice_rows) {
    const int width = shown(row.across), height = shown(row.up);
    const bool magnified = std::size_t(width) > g.size[row.across] || std::size_t(height) > g.size[row.up];
    html << "<tr><th class=\"row\">" << row.name << "<br/><span class=\"small\">" << axis_names[row.across] << "-"
         << axis_names[row.up] << ", " << axis_names[row.through] << " = " << g.size[row.through] / 2 << "</span></th>";
    for (std::size_t i = 0; i < panels.columns.size(); ++i) {
      const GrayPicture picture = mid_slice(*panels.columns[i].volume, row, windows[i].first, windows[i].second);
      html << "<td><img" << (magnified ? " class=\"magnified\"" : "") << " width=\"" << width << "\" height=\""
           << height << "\" alt=\"" << html_escape(panels.columns[i].label) << ", " << row.name << "\" src=\""
           << data_uri(encode_png(picture)) << "\"/></td>";
    }
    html << "</tr>\n";
  }
  html << "</table>\n";
}

// ---- Charts ----------------------------------------------------------------

struct Axis {
  double lo = 0, hi = 1;  // in plotted units (log10 of the value on a log axis)
  std::vector<double> ticks;
  bool log = false;
  std::string label(double tick) const {
    if (log) return format("%g", std::pow(10.0, tick));
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0;
    const double largest = std::max(std::fabs(lo), std::fabs(hi));
    const int decimals = std::max(0, int(-std::floor(std::log10(step) + 1e-9)));
    if (decimals > 6 || largest >= 1e6) return format("%.3g", tick);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, std::fabs(tick) < step * 1e-9 ? 0.0 : tick);
    return buffer;
  }
};

// Ticks 1, 2 or 5 times a power of ten apart, about five of them; the axis
// runs from tick to tick. Where doubles cannot hold such ticks (a span
// beyond their range, or below their precision at the values' magnitude)
// the axis is the values' range with a tick at each end, or [0, 1].
Axis linear_axis(double lo, double hi) {
  Axis a;
  if (!(hi > lo)) {
    const double pad = lo == 0 ? 1.0 : std::fabs(lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / 5, magnitude = std::pow(10.0, std::floor(std::log10(raw))), f = raw / magnitude;
  const double step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * magnitude;
  const double first = std::floor(lo / step + 1e-9), last = std::ceil(hi / step - 1e-9);
  const double count = last - first;
  if (std::isfinite(step) && step > 0 && count >= 1 && count <= 20 && last * step > first * step) {
    a.lo = first * step;
    a.hi = last * step;
    for (int k = 0; k <= int(count); ++k) a.ticks.push_back((first + k) * step);
  } else if (std::isfinite(lo) && std::isfinite(hi) && std::isfinite(hi - lo) && hi > lo) {
    a.lo = lo;
    a.hi = hi;
    a.ticks = {lo, hi};
  } else {
    a.ticks = {0, 1};
  }
  return a;
}

// Decades (with 2 and 5 between where the axis spans two decades or less).
Axis log_axis(double lo, double hi) {
  Axis a;
  a.log = true;
  a.lo = std::floor(std::log10(lo) + 1e-9);
  a.hi = std::ceil(std::log10(hi) - 1e-9);
  if (a.hi <= a.lo) a.hi = a.lo + 1;
  const double decades = a.hi - a.lo, every = std::max(1.0, std::ceil(decades / 6));
  for (double d = a.lo; d <= a.hi + 0.5; d += every) {
    a.ticks.push_back(d);
    if (decades <= 2 && d < a.hi)
      for (double m : {2.0, 5.0}) a.ticks.push_back(d + std::log10(m));
  }
  return a;
}

const char* const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                               "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

void curve_svg(std::ostringstream& html, const ReportCurve& c) {
  if (c.y.size() != c.series.size())
    throw std::invalid_argument("report curve '" + c.title + "': " + std::to_string(c.y.size()) + " rows of y for " +
                                std::to_string(c.series.size()) + " series");
  for (std::size_t s = 0; s < c.y.size(); ++s)
    if (c.y[s].size() != c.x.size())
      throw std::invalid_argument("report curve '" + c.title + "': series '" + c.series[s] + "' has " +
                                  std::to_string(c.y[s].size()) + " values for " + std::to_string(c.x.size()) +
                                  " x values");
  // The points each series draws: finite x and y (positive y on a log axis).
  std::vector<std::vector<std::pair<double, double>>> points(c.series.size());
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  for (std::size_t s = 0; s < c.series.size(); ++s)
    for (std::size_t i = 0; i < c.x.size(); ++i) {
      const double x = c.x[i], y = c.y[s][i];
      if (!std::isfinite(x) || !std::isfinite(y) || (c.log_y && y <= 0)) continue;
      points[s].emplace_back(x, y);
      x_lo = std::min(x_lo, x);
      x_hi = std::max(x_hi, x);
      y_lo = std::min(y_lo, y);
      y_hi = std::max(y_hi, y);
    }
  const bool empty = !(x_lo <= x_hi);
  const Axis xa = empty ? linear_axis(0, 1) : linear_axis(x_lo, x_hi);
  const Axis ya = empty ? linear_axis(0, 1) : c.log_y ? log_axis(y_lo, y_hi) : linear_axis(y_lo, y_hi);

  const double width = 560, left = 72, right = 20, top = 34, plot_h = 220;
  const double plot_w = width - left - right, bottom = top + plot_h;
  auto px = [&](double x) { return left + (x - xa.lo) / (xa.hi - xa.lo) * plot_w; };
  auto py = [&](double y) { return bottom - ((ya.log ? std::log10(y) : y) - ya.lo) / (ya.hi - ya.lo) * plot_h; };
  auto py_tick = [&](double t) { return bottom - (t - ya.lo) / (ya.hi - ya.lo) * plot_h; };
  // Coordinates far outside the chart (values beyond an axis that could not
  // span them) are held to a finite distance.
  auto f1 = [](double v) { return format("%.1f", std::clamp(v, -1e5, 1e5)); };

  // The legend below the x label, wrapped into rows.
  std::vector<std::pair<double, double>> legend_at;
  double lx = left, ly = bottom + 58;
  for (const auto& name : c.series) {
    const double item = 30 + 6.5 * double(name.size()) + 18;
    if (lx > left && lx + item > width - right) {
      lx = left;
      ly += 18;
    }
    legend_at.emplace_back(lx, ly);
    lx += item;
  }
  const double height = (c.series.empty() ? bottom + 44 : ly + 12);

  html << "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
       << "\" viewBox=\"0 0 " << width << " " << height << "\" role=\"img\" aria-label=\"" << html_escape(c.title)
       << "\">\n";
  html << "<text class=\"title\" x=\"" << left + plot_w / 2 << "\" y=\"20\" text-anchor=\"middle\">"
       << html_escape(c.title) << "</text>\n";
  for (double t : ya.ticks) {
    const std::string y = f1(py_tick(t));
    html << "<line class=\"grid\" x1=\"" << left << "\" y1=\"" << y << "\" x2=\"" << left + plot_w << "\" y2=\"" << y
         << "\"/>\n<text x=\"" << left - 6 << "\" y=\"" << y << "\" dy=\"4\" text-anchor=\"end\">"
         << html_escape(ya.label(t)) << "</text>\n";
  }
  for (double t : xa.ticks) {
    const std::string x = f1(px(t));
    html << "<line class=\"axis\" x1=\"" << x << "\" y1=\"" << bottom << "\" x2=\"" << x << "\" y2=\"" << bottom + 5
         << "\"/>\n<text x=\"" << x << "\" y=\"" << bottom + 18 << "\" text-anchor=\"middle\">"
         << html_escape(xa.label(t)) << "</text>\n";
  }
  html << "<line class=\"axis\" x1=\"" << left << "\" y1=\"" << bottom << "\" x2=\"" << left + plot_w << "\" y2=\""
       << bottom << "\"/>\n<line class=\"axis\" x1=\"" << left << "\" y1=\"" << top << "\" x2=\"" << left << "\" y2=\""
       << bottom << "\"/>\n";
  html << "<text class=\"label\" x=\"" << left + plot_w / 2 << "\" y=\"" << bottom + 38 << "\" text-anchor=\"middle\">"
       << html_escape(c.x_label) << "</text>\n<text class=\"label\" transform=\"translate(16 " << top + plot_h / 2
       << ") rotate(-90)\" text-anchor=\"middle\">" << html_escape(c.y_label + (c.log_y ? " (log scale)" : ""))
       << "</text>\n";
  if (empty)
    html << "<text x=\"" << left + plot_w / 2 << "\" y=\"" << top + plot_h / 2 << "\" text-anchor=\"middle\">"
         << "no values yet</text>\n";
  for (std::size_t s = 0; s < c.series.size(); ++s) {
    const char* colour = palette[s % (sizeof palette / sizeof *palette)];
    if (!points[s].empty()) {
      html << "<polyline class=\"series\" fill=\"none\" stroke=\"" << colour
           << "\" stroke-width=\"1.8\" stroke-linejoin=\"round\" points=\"";
      for (std::size_t i = 0; i < points[s].size(); ++i)
        html << (i ? " " : "") << f1(px(points[s][i].first)) << "," << f1(py(points[s][i].second));
      html << "\"><title>" << html_escape(c.series[s]) << "</title></polyline>\n";
      if (points[s].size() <= 60)
        for (const auto& [x, y] : points[s])
          html << "<circle cx=\"" << f1(px(x)) << "\" cy=\"" << f1(py(y)) << "\" r=\"2.5\" fill=\"" << colour
               << "\"/>\n";
    }
    const auto [x, y] = legend_at[s];
    html << "<line x1=\"" << x << "\" y1=\"" << y - 4 << "\" x2=\"" << x + 22 << "\" y2=\"" << y - 4 << "\" stroke=\""
         << colour << "\" stroke-width=\"3\"/>\n<text class=\"legend\" x=\"" << x + 28 << "\" y=\"" << y << "\">"
         << html_escape(c.series[s] + (points[s].empty() ? " (no values)" : "")) << "</text>\n";
  }
  html << "</svg>\n";
}

}  // namespace

std::string fit_report_html(const FitReport& report) {
  std::ostringstream html;
  page_start(html, report.title);
  html << "<nav><a href=\"#summary\">Summary</a>";
  if (!report.panels.empty()) html << "<a href=\"#slices\">Slices</a>";
  if (!report.curves.empty()) html << "<a href=\"#curves\">Training curves</a>";
  html << "<a href=\"#geometry\">Geometry</a><a href=\"#settings\">Settings</a></nav>\n";

  html << "<section id=\"summary\">\n<h2>Summary</h2>\n";
  warning_box(html, report.warnings);
  key_values(html, report.summary, "kv");
  html << "</section>\n";
  if (!report.panels.empty()) {
    html << "<section id=\"slices\">\n<h2>Mid-slices</h2>\n<p class=\"note\">Through the grid's centre, in voxel axes "
            "(under each row's name: the axis across, the axis up, and the slice); each column windowed to its own "
            "0.5 to 99.5 percentile range.</p>\n";
    for (const auto& p : report.panels) panels_html(html, p);
    html << "</section>\n";
  }
  if (!report.curves.empty()) {
    html << "<section id=\"curves\">\n<h2>Training curves</h2>\n<div class=\"charts\">\n";
    for (const auto& c : report.curves) curve_svg(html, c);
    html << "</div>\n</section>\n";
  }
  html << "<section id=\"geometry\">\n<h2>Geometry</h2>\n";
  if (report.geometry.empty()) {
    html << "<p class=\"note\">None given.</p>\n";
  } else {
    html << "<ul class=\"geometry\">\n";
    for (const auto& line : report.geometry) html << "<li>" << html_escape(line) << "</li>\n";
    html << "</ul>\n";
  }
  html << "</section>\n<section id=\"settings\">\n<h2>Settings</h2>\n";
  key_values(html, report.settings, "kv settings");
  html << "</section>\n";
  page_end(html, "Fit report");
  return html.str();
}

void write_fit_report(const std::string& path, const FitReport& report) {
  write_file_atomically(path, fit_report_html(report));
}

std::string cohort_report_html(const CohortReport& report) {
  std::ostringstream html;
  page_start(html, report.title);
  html << "<section id=\"summary\">\n<h2>Summary</h2>\n";
  warning_box(html, report.warnings);
  key_values(html, report.summary, "kv");
  for (const auto& table : report.tables) grid_table(html, table);
  html << "</section>\n<section id=\"subjects\">\n<h2>Subjects</h2>\n<div class=\"scroll\">\n"
       << "<table class=\"grid subjects\">\n<tr><th>mid-slices</th>";
  for (const auto& c : report.columns) html << "<th>" << html_escape(c) << "</th>";
  html << "</tr>\n";
  for (const auto& row : report.rows) {
    if (row.cells.size() != report.columns.size())
      throw std::invalid_argument("cohort report: a row of " + std::to_string(row.cells.size()) + " cells under " +
                                  std::to_string(report.columns.size()) + " columns");
    html << "<tr" << (row.failed ? " class=\"failed\"" : "") << ">";
    if (!row.thumbnail_png.empty()) {
      html << "<td class=\"thumb\"><img alt=\"mid-slices\" src=\"" << data_uri(row.thumbnail_png) << "\"/>";
    } else {
      html << "<td class=\"thumb empty\">" << html_escape(row.note);
    }
    if (!row.link.empty()) html << "<a href=\"" << html_escape(relative_href(row.link)) << "\">fit report</a>";
    html << "</td>";
    for (const auto& cell : row.cells)
      html << (cell.size() > 40 ? "<td class=\"detail\">" : "<td>") << html_escape(cell) << "</td>";
    html << "</tr>\n";
  }
  html << "</table>\n</div>\n</section>\n";
  page_end(html, "Cohort report");
  return html.str();
}

void write_cohort_report(const std::string& path, const CohortReport& report) {
  write_file_atomically(path, cohort_report_html(report));
}

}  // namespace mcinr::io
