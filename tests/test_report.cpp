// io/png and io/report: PNG bytes in memory (round trips, damaged and
// oversized input refused, shrinking), and the HTML reports: well formed,
// every text escaped, the embedded pictures PNGs of the slices' sizes, in
// the slices' orientation and windowed, the charts' lines and their gaps.
#include <catch2/catch.hpp>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mcinr/io/png.hpp"
#include "mcinr/io/report.hpp"

using namespace mcinr::io;

namespace {

// Well formed in the XML sense, which the reports keep to: every tag closed
// or self-closed (<img .../>), in order; attribute values quoted; no raw '<'
// or '>' in text or values and every '&' an entity; <style> raw text without
// '<'. Returns "" or what is wrong, and where.
std::string well_formed(const std::string& html) {
  std::vector<std::string> open;
  std::size_t i = 0;
  const std::string doctype = "<!DOCTYPE html>";
  if (html.compare(0, doctype.size(), doctype) != 0) return "no doctype";
  i = doctype.size();
  auto entity = [&](std::size_t k) {  // &amp; &lt; &gt; &quot; or &#digits;
    for (const char* name : {"&amp;", "&lt;", "&gt;", "&quot;"})
      if (html.compare(k, std::strlen(name), name) == 0) return true;
    std::size_t d = k + 2;
    while (d < html.size() && std::isdigit(static_cast<unsigned char>(html[d]))) ++d;
    return html.compare(k, 2, "&#") == 0 && d > k + 2 && d < html.size() && html[d] == ';';
  };
  auto check_text = [&](std::size_t from, std::size_t to) -> std::string {
    for (std::size_t k = from; k < to; ++k) {
      if (html[k] == '>') return "a raw '>' at " + std::to_string(k);
      if (html[k] == '&' && !entity(k)) return "a bare '&' at " + std::to_string(k);
    }
    return "";
  };
  while (i < html.size()) {
    const std::size_t lt = html.find('<', i);
    const std::string text_error = check_text(i, lt == std::string::npos ? html.size() : lt);
    if (!text_error.empty()) return text_error;
    if (lt == std::string::npos) break;
    std::size_t k = lt + 1;
    const bool closing = k < html.size() && html[k] == '/';
    if (closing) ++k;
    std::size_t name_end = k;
    while (name_end < html.size() &&
           (std::isalnum(static_cast<unsigned char>(html[name_end])) || html[name_end] == '-'))
      ++name_end;
    const std::string name = html.substr(k, name_end - k);
    if (name.empty()) return "a '<' that opens no tag at " + std::to_string(lt);
    k = name_end;
    bool self_closed = false;
    for (;;) {  // attributes
      while (k < html.size() && std::isspace(static_cast<unsigned char>(html[k]))) ++k;
      if (k >= html.size()) return "unterminated tag <" + name;
      if (html[k] == '>') break;
      if (html.compare(k, 2, "/>") == 0) {
        self_closed = true;
        ++k;
        break;
      }
      if (closing) return "attributes in </" + name + ">";
      std::size_t a = k;
      while (a < html.size() && (std::isalnum(static_cast<unsigned char>(html[a])) || html[a] == '-' || html[a] == ':'))
        ++a;
      if (a == k || html.compare(a, 2, "=\"") != 0)
        return "an unquoted attribute in <" + name + " at " + std::to_string(k);
      const std::size_t value_end = html.find('"', a + 2);
      if (value_end == std::string::npos) return "unterminated attribute in <" + name;
      if (html.substr(a + 2, value_end - a - 2).find('<') != std::string::npos)
        return "'<' in an attribute of <" + name;
      const std::string value_error = check_text(a + 2, value_end);
      if (!value_error.empty()) return value_error + " (in an attribute of <" + name + ")";
      k = value_end + 1;
    }
    i = k + 1;
    if (closing) {
      if (open.empty() || open.back() != name)
        return "</" + name + "> closes <" + (open.empty() ? std::string("nothing") : open.back()) + "> at " +
               std::to_string(lt);
      open.pop_back();
    } else if (!self_closed) {
      open.push_back(name);
      if (name == "style") {
        const std::size_t end = html.find("</style>", i);
        if (end == std::string::npos || html.substr(i, end - i).find('<') != std::string::npos) return "bad <style>";
        i = end;
      }
    }
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  return "";
}

std::string base64_decode(const std::string& text) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    if (c == '=') break;
    const auto v = alphabet.find(c);
    if (v == std::string::npos) throw std::runtime_error("not base64");
    bits = bits << 6 | std::uint32_t(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += char((bits >> count) & 0xFF);
    }
  }
  return out;
}

// The values of every attribute `name="..."` whose value starts with
// `prefix`, in page order (found by hand: std::regex recurses per character
// and overflows the stack on a picture's base64 under ASan).
std::vector<std::string> attribute_values(const std::string& html, const std::string& name,
                                          const std::string& prefix = "") {
  std::vector<std::string> values;
  const std::string open = " " + name + "=\"" + prefix;
  for (std::size_t at = html.find(open); at != std::string::npos; at = html.find(open, at + 1)) {
    const std::size_t from = at + open.size(), to = html.find('"', from);
    if (to == std::string::npos) break;
    values.push_back(html.substr(from, to - from));
  }
  return values;
}

// Every embedded PNG of a page, decoded, in page order.
std::vector<GrayPicture> embedded_pictures(const std::string& html) {
  std::vector<GrayPicture> pictures;
  for (const auto& data : attribute_values(html, "src", "data:image/png;base64,"))
    pictures.push_back(decode_png(base64_decode(data), "embedded picture"));
  return pictures;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A grid nx x ny x nz whose voxels are f(i, j, k).
template <class F> Volume volume(std::size_t nx, std::size_t ny, std::size_t nz, F f) {
  Volume v;
  v.geometry.size = {nx, ny, nz};
  v.voxels.resize(nx * ny * nz);
  for (std::size_t k = 0; k < nz; ++k)
    for (std::size_t j = 0; j < ny; ++j)
      for (std::size_t i = 0; i < nx; ++i) v.at(i, j, k) = f(i, j, k);
  return v;
}

}  // namespace

TEST_CASE("the tests' well-formedness check finds what it should", "[io][report]") {
  const std::string d = "<!DOCTYPE html>";
  CHECK(well_formed(d + "<p class=\"a\">x &amp; &#39;y&#39;<br/></p>") == "");
  CHECK(well_formed(d + "<p>a & b</p>") != "");
  CHECK(well_formed(d + "<p>a > b</p>") != "");
  CHECK(well_formed(d + "<p><b>x</p></b>") != "");
  CHECK(well_formed(d + "<p>x") != "");
  CHECK(well_formed(d + "<img src=x/>") != "");
  CHECK(well_formed(d + "<img alt=\"a<b\"/>") != "");
  CHECK(well_formed(d + "<br>") != "");
  CHECK(well_formed("<p></p>") != "");
}

TEST_CASE("base64 gives RFC 4648's test vectors", "[io][report]") {
  CHECK(base64("") == "");
  CHECK(base64("f") == "Zg==");
  CHECK(base64("fo") == "Zm8=");
  CHECK(base64("foo") == "Zm9v");
  CHECK(base64("foob") == "Zm9vYg==");
  CHECK(base64("fooba") == "Zm9vYmE=");
  CHECK(base64("foobar") == "Zm9vYmFy");
  CHECK(base64(std::string("\xff\x00\xfe", 3)) == "/wD+");
}

TEST_CASE("html_escape escapes markup and replaces broken UTF-8", "[io][report]") {
  CHECK(html_escape("<b>\"T1w\" & 'FLAIR'</b>") == "&lt;b&gt;&quot;T1w&quot; &amp; &#39;FLAIR&#39;&lt;/b&gt;");
  CHECK(html_escape("38.2 ± 0.5 µm, 日本") == "38.2 ± 0.5 µm, 日本");  // valid UTF-8 stays
  CHECK(html_escape("a\xff"
                    "b") ==
        "a\xEF\xBF\xBD"
        "b");                                                                    // a stray byte
  CHECK(html_escape("\xC3") == "\xEF\xBF\xBD");                                  // cut short
  CHECK(html_escape("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  CHECK(html_escape("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  CHECK(html_escape("bell\a, tab\t, line\n") == "bell\xEF\xBF\xBD, tab\t, line\n");
}

TEST_CASE("PNG bytes round-trip, and damaged or oversized ones are refused", "[io][report]") {
  GrayPicture p;
  p.width = 7;
  p.height = 3;
  for (std::size_t i = 0; i < 21; ++i) p.pixels.push_back(std::uint8_t(i * 12));
  const std::string png = encode_png(p);
  CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  const GrayPicture back = decode_png(png);
  CHECK(back.width == 7);
  CHECK(back.height == 3);
  CHECK(back.pixels == p.pixels);

  CHECK_THROWS_WITH(decode_png(png, "x.png", 20), "x.png: a 7x3 picture, more than the 20 pixels allowed");
  CHECK_THROWS_WITH(decode_png("not a picture", "x.png"), Catch::StartsWith("x.png: not a readable PNG ("));
  CHECK_THROWS_WITH(decode_png(png.substr(0, png.size() - 20), "x.png"), Catch::StartsWith("x.png: a damaged PNG ("));
  std::string flipped = png;
  const std::size_t data = png.find("IDAT") + 6;  // inside the compressed pixels: their CRC fails
  flipped[data] = char(flipped[data] ^ 0x55);
  CHECK_THROWS_AS(decode_png(flipped, "x.png"), std::runtime_error);
  CHECK_THROWS_AS(encode_png(GrayPicture{}), std::invalid_argument);
  p.pixels.pop_back();
  CHECK_THROWS_AS(encode_png(p), std::invalid_argument);

  const auto dir = std::filesystem::temp_directory_path() / "mcinr_png_test";
  std::filesystem::create_directories(dir);
  std::ofstream((dir / "p.png").string(), std::ios::binary) << png;
  CHECK(read_png((dir / "p.png").string()).pixels == back.pixels);
  CHECK_THROWS_WITH(read_png((dir / "absent.png").string()), Catch::Contains("absent.png: cannot read ("));
  std::filesystem::remove_all(dir);
}

TEST_CASE("shrink_to_fit keeps the aspect ratio and averages", "[io][report]") {
  GrayPicture p;
  p.width = 400;
  p.height = 100;
  for (std::size_t y = 0; y < 100; ++y)
    for (std::size_t x = 0; x < 400; ++x) p.pixels.push_back(x < 200 ? 0 : (x + y) % 2 ? 255 : 55);
  const GrayPicture small = shrink_to_fit(p, 100, 100);
  CHECK(small.width == 100);
  CHECK(small.height == 25);
  CHECK(int(small.at(10, 10)) == 0);
  CHECK(int(small.at(90, 10)) == 155);  // a checkerboard of 255 and 55
  CHECK(shrink_to_fit(p, 400, 100).pixels == p.pixels);
  CHECK(shrink_to_fit(p, 1000, 30).height == 30);
}

TEST_CASE("a fit report is one well-formed page: escaped texts, panels and charts", "[io][report]") {
  // A 20 x 16 x 12 grid; the volumes vary along one axis each, so that the
  // slices' orientation shows.
  const Volume along_x = volume(20, 16, 12, [](auto i, auto, auto) { return float(i); });
  const Volume along_y = volume(20, 16, 12, [](auto, auto j, auto) { return float(j); });
  Volume along_z = volume(20, 16, 12, [](auto, auto, auto k) { return float(k); });
  along_z.at(3, 3, 3) = 1e9f;  // one outlier: the window leaves it out
  along_z.at(4, 3, 3) = NAN;
  FitReport r;
  r.title = "mcinr fit: sub-01 (T1w & <FLAIR>)";
  r.summary = {{"status", "finished"}, {"PSNR <c1>", "31.2 dB"}};
  r.geometry = {"T1w: 20x16x12, 1 x 1 x 1 mm, LPS, isotropic", "a \"quoted\" line"};
  r.warnings = {"both scans are thick along z & <y>"};
  r.panels = {{"T1w", {{"linear & more", &along_x}, {"mcinr", &along_y}, {"ground truth", &along_z}}},
              {"FLAIR", {{"linear", &along_z}, {"mcinr", &along_x}, {"ground truth", &along_y}}}};
  ReportCurve loss{"Loss", "epoch", "loss", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {"train"}, {}, true};
  loss.y = {{1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.0, 0.01, 0.009, 0.008}};  // 0 left out of the log axis
  const double nan = NAN;
  ReportCurve psnr{"PSNR", "epoch", "dB", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {"c1 <a>", "c2", "c3 never scored"}, {}};
  psnr.y = {{20, 22, 24, 25, 26, 27, 28, 28.5, 29, 29.5},
            {nan, nan, 21, nan, nan, 24, INFINITY, nan, nan, 26},
            std::vector<double>(10, nan)};
  r.curves = {loss, psnr};
  r.settings = {{"lr", "4e-4"}, {"out", "/data/o'brien & co"}};

  const std::string html = fit_report_html(r);
  CHECK(well_formed(html) == "");
  CHECK(html.find("<title>mcinr fit: sub-01 (T1w &amp; &lt;FLAIR&gt;)</title>") != std::string::npos);
  CHECK(html.find("<FLAIR>") == std::string::npos);
  for (const char* text :
       {"both scans are thick along z &amp; &lt;y&gt;", "PSNR &lt;c1&gt;", "31.2 dB", "a &quot;quoted&quot; line",
        "/data/o&#39;brien &amp; co", "linear &amp; more", "mcinr", "ground truth", "axial", "coronal", "sagittal",
        "c1 &lt;a&gt;", "epoch", "dB", "loss (log scale)", "c3 never scored (no values)"})
    CHECK(html.find(text) != std::string::npos);
  CHECK(html.find("class=\"warnings\"") != std::string::npos);
  CHECK(html.find("src=\"http") == std::string::npos);  // nothing from elsewhere
  CHECK(html.find("<script") == std::string::npos);

  // 2 contrasts x 3 rows x 3 columns, row by row: axial 20 x 16 (x across,
  // y up), coronal 20 x 12 (x, z), sagittal 16 x 12 (y, z).
  const std::vector<GrayPicture> pictures = embedded_pictures(html);
  REQUIRE(pictures.size() == 18);
  const std::size_t sizes[3][2] = {{20, 16}, {20, 12}, {16, 12}};
  for (std::size_t p = 0; p < 18; ++p) {
    CHECK(pictures[p].width == sizes[(p / 3) % 3][0]);
    CHECK(pictures[p].height == sizes[(p / 3) % 3][1]);
  }
  const GrayPicture& axial_x = pictures[0];  // T1w, axial, along_x: brighter to the right
  CHECK(int(axial_x.at(0, 5)) == 0);
  CHECK(int(axial_x.at(19, 5)) == 255);
  const GrayPicture& axial_y = pictures[1];  // along_y: y is up, so brighter at the top
  CHECK(int(axial_y.at(5, 0)) == 255);
  CHECK(int(axial_y.at(5, 15)) == 0);
  const GrayPicture& coronal_z = pictures[5];  // along_z, coronal: z up; the outlier does not darken it
  CHECK(int(coronal_z.at(5, 0)) == 255);
  CHECK(int(coronal_z.at(5, 11)) == 0);
  CHECK(int(coronal_z.at(5, 6)) > 100);
  const GrayPicture& sagittal_x = pictures[6];  // along_x, sagittal through x = 10: flat
  CHECK(sagittal_x.pixels == std::vector<std::uint8_t>(16 * 12, sagittal_x.pixels[0]));

  // One polyline per series with values, through its finite values only
  // (NaN and infinity skipped, and 0 on the log axis), a marker per value.
  std::vector<std::size_t> points;
  for (const auto& list : attribute_values(html, "points")) points.push_back(count(list, ","));
  CHECK(count(html, "<polyline ") == points.size());
  CHECK(points == std::vector<std::size_t>{9, 10, 3});
  CHECK(count(html, "<circle ") == 9 + 10 + 3);
  CHECK(count(html, "<svg ") == 2);
  // Log axis ticks are decades of the loss.
  CHECK(html.find(">0.001</text>") != std::string::npos);
  CHECK(html.find(">1</text>") != std::string::npos);
}

TEST_CASE("a fit report refuses columns on different grids and curves that do not match", "[io][report]") {
  const Volume a = volume(4, 4, 4, [](auto, auto, auto) { return 1.0f; });
  const Volume b = volume(4, 4, 5, [](auto, auto, auto) { return 1.0f; });
  FitReport r;
  r.panels = {{"T1w", {{"a", &a}, {"b", &b}}}};
  CHECK_THROWS_WITH(fit_report_html(r), "report panels 'T1w': the columns lie on different grids");
  r.panels = {{"T1w", {{"a", &a}, {"none", nullptr}}}};
  CHECK_THROWS_WITH(fit_report_html(r), "report panels 'T1w': column 'none' has no volume");
  r.panels = {{"T1w", {{"a", &a}}}};
  CHECK_NOTHROW(fit_report_html(r));
  Volume odd = a;  // spacings no header should hold: 0 and NaN shown as 1 mm
  odd.geometry.spacing = {0, NAN, 1e9};
  r.panels = {{"odd", {{"odd", &odd}}}};
  const std::string odd_page = fit_report_html(r);
  CHECK(well_formed(odd_page) == "");
  CHECK(count(odd_page, "width=\"1\" height=\"1\"") == 1);    // axial: 4 mm by 4 mm beside 4e9 mm
  CHECK(count(odd_page, "width=\"1\" height=\"192\"") == 2);  // coronal and sagittal
  r.curves = {{"Loss", "epoch", "loss", {1, 2, 3}, {"train"}, {{1, 2}}}};
  CHECK_THROWS_WITH(fit_report_html(r), "report curve 'Loss': series 'train' has 2 values for 3 x values");
  r.curves = {{"Loss", "epoch", "loss", {1, 2, 3}, {"train", "test"}, {{1, 2, 3}}}};
  CHECK_THROWS_WITH(fit_report_html(r), "report curve 'Loss': 1 rows of y for 2 series");
  // Values doubles cannot tick finely (1e17 + 16: beyond their precision),
  // or whose span overflows: the page still comes, its numbers finite.
  r.curves = {{"Precision", "epoch", "x", {1, 2}, {"a"}, {{1e17, 1e17 + 16}}},
              {"Overflow", "epoch", "x", {1, 2}, {"a"}, {{-1e308, 1e308}}},
              {"Flat", "epoch", "x", {1, 2, 3}, {"a"}, {{5, 5, 5}}}};
  const std::string extreme = fit_report_html(r);
  CHECK(well_formed(extreme) == "");
  CHECK(count(extreme, "<polyline ") == 3);
  for (const char* bad : {"\"inf", "\"-inf", ",inf", ",-inf", "\"nan", ",nan", "\"-nan", ",-nan"})
    CHECK(extreme.find(bad) == std::string::npos);
  r.curves = {{"Empty", "epoch", "loss", {}, {}, {}}};
  const std::string html = fit_report_html(r);
  CHECK(well_formed(html) == "");
  CHECK(html.find("no values yet") != std::string::npos);
}

TEST_CASE("a fit report of a 240x240x155 grid, 2 contrasts x 3 columns, stays under 2 MB", "[io][report]") {
  // A head-like phantom with noise: ellipsoids of different intensities and
  // 3% noise from a fixed hash, as real scans are noisy (PNG sizes depend on it).
  auto phantom = [](float contrast) {
    return volume(240, 240, 155, [contrast](std::size_t i, std::size_t j, std::size_t k) {
      const double x = (double(i) - 120) / 80, y = (double(j) - 120) / 95, z = (double(k) - 77) / 65;
      const double r = x * x + y * y + z * z;
      std::uint32_t h = std::uint32_t(i * 73856093u ^ j * 19349663u ^ k * 83492791u);
      h ^= h >> 13;
      h *= 0x5bd1e995u;
      h ^= h >> 15;
      const double noise = (double(h % 1000) / 1000 - 0.5) * 0.06;
      const double value = r > 1 ? 0 : r > 0.8 ? 0.9 : r > 0.3 ? 0.6 * contrast : 0.4 + 0.2 * std::sin(10 * x);
      return float(std::max(0.0, value + (r > 1.05 ? 0.0 : noise)));
    });
  };
  const Volume t1 = phantom(1.0f), t2 = phantom(1.5f);
  FitReport r;
  r.title = "mcinr fit: phantom";
  r.panels = {{"T1w", {{"linear interpolation", &t1}, {"mcinr", &t2}, {"ground truth", &t1}}},
              {"FLAIR", {{"linear interpolation", &t2}, {"mcinr", &t1}, {"ground truth", &t2}}}};
  const std::string html = fit_report_html(r);
  CHECK(well_formed(html) == "");
  CHECK(embedded_pictures(html).size() == 18);
  INFO("page size " << html.size() << " bytes");  // 338,035 on 2026-11-26; a BraTS subject's: 300,662
  CHECK(html.size() < 2'000'000);
}

TEST_CASE("a cohort report: a row per subject, thumbnails where finished", "[io][report]") {
  GrayPicture thumb;
  thumb.width = 30;
  thumb.height = 10;
  thumb.pixels.assign(300, 128);
  CohortReport r;
  r.title = "Cohort <run>";
  r.summary = {{"subjects", "2: 1 done, 1 failed"}};
  r.warnings = {"b (index 2): b_c2_LR.nii.gz: no such file"};
  r.tables = {{"Mean ± std", {"method", "PSNR c1"}, {{"mcinr", "30.1 ± 0.2"}}}};
  r.columns = {"index", "subject", "status"};
  r.rows = {{{"1", "a & co", "done"}, encode_png(thumb), "", "fits/a b/report.html", false},
            {{"2", "b", "failed"}, "", "no finished fit", "", true}};
  const std::string html = cohort_report_html(r);
  CHECK(well_formed(html) == "");
  for (const char* text : {"Cohort &lt;run&gt;", "Mean ± std", "30.1 ± 0.2", "a &amp; co", "no finished fit",
                           "b_c2_LR.nii.gz: no such file", "href=\"fits/a%20b/report.html\"", "class=\"failed\""})
    CHECK(html.find(text) != std::string::npos);
  const auto pictures = embedded_pictures(html);
  REQUIRE(pictures.size() == 1);
  CHECK(pictures[0].width == 30);
  CHECK(pictures[0].pixels == thumb.pixels);
  r.rows[0].link = "javascript:alert(1)";  // a link is always a relative address
  CHECK(cohort_report_html(r).find("href=\"javascript%3Aalert%281%29\"") != std::string::npos);
  r.rows[1].cells.pop_back();
  CHECK_THROWS_WITH(cohort_report_html(r), "cohort report: a row of 2 cells under 3 columns");
}
