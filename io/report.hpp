#pragma once
// HTML reports, in the manner of fMRIPrep's and MRIQC's visual reports: one
// self-contained page each (no other file, no script, nothing from the
// net), every text HTML-escaped.
//  * A fit's report: summary, warnings (highlighted), mid-slice panels
//    (per contrast, one column per volume: rows axial, coronal and sagittal
//    through the grid's centre in voxel axes, as slices.png; each volume
//    windowed to its own 0.5-99.5 percentile range) as embedded PNGs,
//    training curves as inline SVG charts, the geometry, the settings.
//  * A cohort's report: summary, warnings, tables, and a table with a row
//    per subject and its thumbnail.
#include <string>
#include <utility>
#include <vector>

#include "mcinr/io/nifti.hpp"

namespace mcinr::io {

// One column of a panel: e.g. "linear interpolation", "mcinr", "ground truth".
struct ReportColumn {
  std::string label;
  const Volume* volume = nullptr;
};

// One contrast: its columns share one grid.
struct ReportPanels {
  std::string title;
  std::vector<ReportColumn> columns;
};

// One chart: several series over x. y[s][i] is series s at x[i]; NaN (or
// infinity) where it has no value there: the line joins the values either
// side, so a metric scored every tenth epoch draws as one line. Each value
// gets a marker where a series has at most 60. log_y: a logarithmic y axis
// (values <= 0 left out), e.g. for the loss.
struct ReportCurve {
  std::string title, x_label, y_label;
  std::vector<double> x;
  std::vector<std::string> series;
  std::vector<std::vector<double>> y;
  bool log_y = false;
};

struct FitReport {
  std::string title;                                         // "mcinr fit: sub-01 (T1w + FLAIR)"
  std::vector<std::pair<std::string, std::string>> summary;  // status, epochs, time, final scores ...
  std::vector<std::string> geometry;                         // a line per scan and the output grid
  std::vector<std::string> warnings;
  std::vector<ReportPanels> panels;
  std::vector<ReportCurve> curves;
  std::vector<std::pair<std::string, std::string>> settings;
};

// The page. std::invalid_argument for a column without a volume, panels
// whose volumes lie on different grids or an empty grid, or a curve whose
// y does not match its series and x.
std::string fit_report_html(const FitReport& report);
// Written atomically (io/atomic_file.hpp).
void write_fit_report(const std::string& path, const FitReport& report);

struct ReportTable {
  std::string title;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // a cell per column
};

// A subject of a cohort: its cells, and its thumbnail (PNG bytes, e.g.
// from shrink_to_fit of its slices.png) or, where it has none, a note.
struct CohortReportRow {
  std::vector<std::string> cells;  // a cell per CohortReport::columns
  std::string thumbnail_png;       // empty: no thumbnail
  std::string note;                // shown in the thumbnail's place, e.g. "no finished fit"
  std::string link;                // a relative address of the subject's own report ("" none)
  bool failed = false;             // highlighted
};

struct CohortReport {
  std::string title;
  std::vector<std::pair<std::string, std::string>> summary;
  std::vector<std::string> warnings;  // e.g. the failed subjects
  std::vector<ReportTable> tables;    // e.g. mean ± std per method
  std::vector<std::string> columns;   // of the subjects' table, beside the thumbnail
  std::vector<CohortReportRow> rows;
};

// std::invalid_argument for a row whose cells do not match the columns.
std::string cohort_report_html(const CohortReport& report);
void write_cohort_report(const std::string& path, const CohortReport& report);

// Shared pieces, tested on their own.
// Text for HTML text and quoted attributes: & < > " ' escaped, invalid
// UTF-8 and control characters (tab and newline aside) replaced by U+FFFD.
std::string html_escape(const std::string& text);
// RFC 4648 base64, with padding.
std::string base64(const std::string& bytes);

}  // namespace mcinr::io
