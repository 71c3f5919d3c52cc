// The end-of-run report: a table on stdout, a JSON file and an SVG plot of throughput and p99 per second.

#include "loadgen.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

namespace bench {

namespace {

const char* mode_name(run_mode m) {
  switch (m) {
    case run_mode::checkout: return "checkout";
    case run_mode::ceiling: return "ceiling";
    case run_mode::sessions: return "sessions";
    case run_mode::accounts: return "accounts";
    case run_mode::verify: return "verify";
  }
  return "?";
}

double ms(std::uint64_t micros) { return static_cast<double>(micros) / 1000.0; }

double per_second(std::uint64_t n, double seconds) { return seconds > 0 ? static_cast<double>(n) / seconds : 0; }

/// What counts as "done" in each mode, for the headline rate.
const char* done_name(run_mode m) {
  switch (m) {
    case run_mode::checkout: return "checkouts";
    case run_mode::ceiling: return "requests";
    case run_mode::sessions: return "sessions";
    case run_mode::accounts: return "accounts";
    case run_mode::verify: return "verified";
  }
  return "done";
}

/// The headline count: requests in ceiling mode, else checkouts (or sessions, accounts).
std::uint64_t done_count(const run_result& r) {
  return r.opts.mode == run_mode::ceiling ? r.stats.requests : r.stats.checkouts;
}

nlohmann::json latency_json(const histogram& h) {
  return {{"count", h.count()},
          {"p50_ms", ms(h.quantile(0.50))},
          {"p90_ms", ms(h.quantile(0.90))},
          {"p99_ms", ms(h.quantile(0.99))},
          {"max_ms", ms(h.max())}};
}

nlohmann::json verification_json(const verification& v) {
  return {{"ran", v.ran},
          {"pass", v.pass},
          {"acknowledged", v.acknowledged},
          {"found_complete", v.found_complete},
          {"missing", v.missing},
          {"not_complete", v.not_complete},
          {"wrong_units", v.wrong_units},
          {"wrong_customer", v.wrong_customer},
          {"not_attached", v.not_attached},
          {"emails", v.emails},
          {"emails_not_exactly_once", v.emails_not_once},
          {"duplicate_customers", v.duplicate_customers},
          {"duplicate_bills", v.duplicate_bills},
          {"duplicate_products", v.duplicate_products},
          {"duplicate_notifications", v.duplicate_notifications},
          {"complete_bills_with_wrong_products", v.complete_bills_with_wrong_products},
          {"complete_bills_unattached", v.complete_bills_unattached},
          {"incomplete_bills_with_products", v.incomplete_bills_with_products},
          {"bills_completed_twice", v.bills_completed_twice},
          {"sessions_with_two_bills", v.sessions_with_two_bills},
          {"sessions_read", v.sessions_read},
          {"sessions_completed", v.sessions_completed},
          {"sessions_not_completed", v.sessions_not_completed},
          {"customers_total", v.customers_total},
          {"bills_total", v.bills_total},
          {"products_total", v.products_total},
          {"examples", v.examples}};
}

nlohmann::json resume_json(const resume_counts& c) {
  return {{"interrupted", c.interrupted},
          {"resumed", c.resumed},
          {"completed_after_resume", c.completed_after_resume},
          {"lost", c.lost},
          {"inconsistent", c.inconsistent},
          {"login_lost", c.login_lost},
          {"abandoned", c.abandoned},
          {"reconnects", c.reconnects},
          {"examples", c.examples}};
}

using ull = unsigned long long;

void print_verification(const verification& v) {
  if (!v.ran) return;
  std::printf("verification: %s  acknowledged %llu, found COMPLETE with right units and customer, attached %llu; "
              "missing %llu, not complete %llu, wrong units %llu, wrong customer %llu, not attached %llu; emails %llu "
              "(not exactly once: %llu)\n",
              v.pass ? "PASS" : "FAIL", (ull)v.acknowledged, (ull)v.found_complete, (ull)v.missing,
              (ull)v.not_complete, (ull)v.wrong_units, (ull)v.wrong_customer, (ull)v.not_attached, (ull)v.emails,
              (ull)v.emails_not_once);
  std::printf("  duplicates: customers %llu, bills %llu, products %llu, notifications %llu, bills completed twice "
              "%llu, sessions with two bills %llu; COMPLETE bills with wrong product count %llu, COMPLETE bills "
              "unattached %llu, other bills with products %llu (database: %llu customers, %llu bills, %llu products)\n",
              (ull)v.duplicate_customers, (ull)v.duplicate_bills, (ull)v.duplicate_products,
              (ull)v.duplicate_notifications, (ull)v.bills_completed_twice, (ull)v.sessions_with_two_bills,
              (ull)v.complete_bills_with_wrong_products, (ull)v.complete_bills_unattached,
              (ull)v.incomplete_bills_with_products, (ull)v.customers_total, (ull)v.bills_total,
              (ull)v.products_total);
  if (v.sessions_read)
    std::printf("  sessions read back: %llu completed, %llu not\n", (ull)v.sessions_completed,
                (ull)v.sessions_not_completed);
  for (const auto& e : v.examples) std::printf("  %s\n", e.c_str());
}

void print_resume(const resume_counts& c) {
  if (c.interrupted == 0 && c.reconnects == 0) return;
  std::printf("interrupted sessions: %llu; resumed %llu (completed after resume %llu); not resumed: lost %llu, "
              "inconsistent %llu, login answer lost %llu, abandoned %llu; reconnects %llu\n",
              (ull)c.interrupted, (ull)c.resumed, (ull)c.completed_after_resume, (ull)c.lost, (ull)c.inconsistent,
              (ull)c.login_lost, (ull)c.abandoned, (ull)c.reconnects);
  for (const auto& e : c.examples) std::printf("  %s\n", e.c_str());
}

}  // namespace

void print_table(const run_result& r) {
  if (r.opts.mode == run_mode::verify) {
    print_verification(r.check);
    std::fflush(stdout);
    return;
  }
  const auto& s = r.stats;
  std::uint64_t errors = 0;
  for (const auto& [kind, n] : s.errors) errors += n;
  std::printf("\n== %s%s%s: mode %s, %d customers, %d client thread(s), %.1f s ==\n", r.opts.label.c_str(),
              r.opts.label.empty() ? "" : " ", "run", mode_name(r.opts.mode), r.opts.customers, r.opts.threads,
              r.elapsed_s);
  if (r.opts.mode != run_mode::ceiling) {
    std::printf("%s: %llu\n", done_name(r.opts.mode), (unsigned long long)done_count(r));
    std::printf("%s/s: %.0f\n", done_name(r.opts.mode), per_second(done_count(r), r.elapsed_s));
  }
  std::printf("requests: %llu\nrequests/s: %.0f\n", (unsigned long long)s.requests, per_second(s.requests, r.elapsed_s));
  std::printf("errors: %llu\n", (unsigned long long)errors);
  for (const auto& [kind, n] : s.errors) std::printf("  %-40s %llu\n", kind.c_str(), (unsigned long long)n);
  for (const auto& [key, value] : r.extra) std::printf("%s: %.3f\n", key.c_str(), value);
  print_resume(s.resume);
  std::printf("%-10s %10s %9s %9s %9s %9s\n", "step", "count", "p50 ms", "p90 ms", "p99 ms", "max ms");
  for (std::size_t i = 0; i < step_count; ++i) {
    const auto& h = s.latency[i];
    if (h.count() == 0) continue;
    std::printf("%-10s %10llu %9.2f %9.2f %9.2f %9.2f\n", step_names[i], (unsigned long long)h.count(),
                ms(h.quantile(0.5)), ms(h.quantile(0.9)), ms(h.quantile(0.99)), ms(h.max()));
  }
  print_verification(r.check);
  std::fflush(stdout);
}

void write_json(const run_result& r, const std::string& path) {
  const auto& s = r.stats;
  nlohmann::json out;
  out["label"] = r.opts.label;
  out["mode"] = mode_name(r.opts.mode);
  out["customers"] = r.opts.customers;
  out["threads"] = r.opts.threads;
  out["elapsed_s"] = r.elapsed_s;
  out["done"] = done_count(r);
  out["done_per_s"] = per_second(done_count(r), r.elapsed_s);
  out["requests"] = s.requests;
  out["requests_per_s"] = per_second(s.requests, r.elapsed_s);
  out["mix"] = {{"returning_share", r.opts.returning_share},
                {"notify_share", r.opts.notify_share},
                {"replay_share", r.opts.replay_share},
                {"login_share", r.opts.login_share}};
  out["errors"] = nlohmann::json::object();
  for (const auto& [kind, n] : s.errors) out["errors"][kind] = n;
  for (std::size_t i = 0; i < step_count; ++i)
    if (s.latency[i].count()) out["latency"][step_names[i]] = latency_json(s.latency[i]);
  for (const auto& [key, value] : r.extra) out["extra"][key] = value;
  out["resume"] = resume_json(s.resume);
  out["acknowledged"] = s.acks.size();
  out["per_second"] = nlohmann::json::array();
  for (std::size_t t = 0; t < s.seconds.size(); ++t)
    out["per_second"].push_back({{"second", t},
                                 {"done", s.seconds[t].checkouts},
                                 {"requests", s.seconds[t].requests},
                                 {"request_p99_ms", ms(s.seconds[t].request_latency.quantile(0.99))}});
  out["verification"] = verification_json(r.check);
  std::ofstream(path) << out.dump(2) << "\n";
}

namespace {

/// A "nice" axis top at or above `value` (1, 2 or 5 times a power of ten).
double nice_ceiling(double value) {
  if (value <= 0) return 1;
  double magnitude = std::pow(10.0, std::floor(std::log10(value)));
  for (double step : {1.0, 2.0, 5.0, 10.0})
    if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

struct plot_frame {
  double left = 70, right = 730, top = 40, bottom = 340;  // drawing area in pixels
  double x_max = 1, y1_max = 1, y2_max = 1;
  double x(double v) const { return left + (right - left) * v / x_max; }
  double y1(double v) const { return bottom - (bottom - top) * v / y1_max; }
  double y2(double v) const { return bottom - (bottom - top) * v / y2_max; }
};

void svg_axes(std::ostringstream& svg, const plot_frame& f, const std::string& y1_label) {
  svg << "<rect x='" << f.left << "' y='" << f.top << "' width='" << f.right - f.left << "' height='"
      << f.bottom - f.top << "' fill='none' stroke='#444'/>\n";
  for (int i = 0; i <= 5; ++i) {
    double fraction = i / 5.0;
    double y = f.bottom - (f.bottom - f.top) * fraction;
    svg << "<line x1='" << f.left << "' y1='" << y << "' x2='" << f.right << "' y2='" << y
        << "' stroke='#ddd'/>\n";
    svg << "<text x='" << f.left - 6 << "' y='" << y + 4 << "' text-anchor='end' fill='#1f77b4'>"
        << f.y1_max * fraction << "</text>\n";
    svg << "<text x='" << f.right + 6 << "' y='" << y + 4 << "' fill='#d62728'>" << f.y2_max * fraction
        << "</text>\n";
    double xv = f.x_max * fraction;
    svg << "<text x='" << f.x(xv) << "' y='" << f.bottom + 18 << "' text-anchor='middle'>" << std::round(xv)
        << "</text>\n";
  }
  svg << "<text x='" << (f.left + f.right) / 2 << "' y='" << f.bottom + 38 << "' text-anchor='middle'>seconds</text>\n";
  svg << "<text x='18' y='" << (f.top + f.bottom) / 2 << "' fill='#1f77b4' text-anchor='middle' transform='rotate(-90 18 "
      << (f.top + f.bottom) / 2 << ")'>" << y1_label << "</text>\n";
  svg << "<text x='785' y='" << (f.top + f.bottom) / 2 << "' fill='#d62728' text-anchor='middle' transform='rotate(90 785 "
      << (f.top + f.bottom) / 2 << ")'>p99 request latency (ms)</text>\n";
}

}  // namespace

void write_svg(const run_result& r, const std::string& path) {
  const auto& seconds = r.stats.seconds;
  plot_frame f;
  std::vector<double> rate, p99;
  for (const auto& s : seconds) {
    rate.push_back(static_cast<double>(r.opts.mode == run_mode::ceiling ? s.requests : s.checkouts));
    p99.push_back(ms(s.request_latency.quantile(0.99)));
  }
  f.x_max = std::max<double>(1, static_cast<double>(seconds.size()));
  f.y1_max = nice_ceiling(rate.empty() ? 1 : *std::max_element(rate.begin(), rate.end()));
  f.y2_max = nice_ceiling(p99.empty() ? 1 : *std::max_element(p99.begin(), p99.end()));
  std::string y1_label = std::string(done_name(r.opts.mode)) + " per second";
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='800' height='400' font-family='sans-serif' font-size='12'>\n"
      << "<rect width='800' height='400' fill='white'/>\n"
      << "<text x='400' y='22' text-anchor='middle' font-size='14'>" << r.opts.label << " " << mode_name(r.opts.mode)
      << ", " << r.opts.customers << " customers: " << y1_label << " (blue) and p99 latency (red)</text>\n";
  svg_axes(svg, f, y1_label);
  auto polyline = [&](const std::vector<double>& values, bool right_axis, const char* colour) {
    svg << "<polyline fill='none' stroke='" << colour << "' stroke-width='2' points='";
    for (std::size_t i = 0; i < values.size(); ++i)
      svg << f.x(static_cast<double>(i) + 0.5) << "," << (right_axis ? f.y2(values[i]) : f.y1(values[i])) << " ";
    svg << "'/>\n";
  };
  polyline(rate, false, "#1f77b4");
  polyline(p99, true, "#d62728");
  svg << "</svg>\n";
  std::ofstream(path) << svg.str();
}

}  // namespace bench
