#include "documents/invoice_pdf.hpp"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>

namespace boutique::documents {

namespace {

// A4 in PostScript points; every length below is in points.
constexpr double page_width = 595.276;
constexpr double page_height = 841.890;
constexpr double margin = 50;
constexpr double content_width = page_width - 2 * margin;
constexpr double gap = 8;
constexpr double amount_width = 76;
constexpr double quantity_width = 60;
constexpr double product_width = content_width - 3 * amount_width - quantity_width - 4 * gap;

template <class T, void (*Free)(T*)>
struct freed_by {
  void operator()(T* p) const { Free(p); }
};
using surface_ptr = std::unique_ptr<cairo_surface_t, freed_by<cairo_surface_t, cairo_surface_destroy>>;
using cairo_ptr = std::unique_ptr<cairo_t, freed_by<cairo_t, cairo_destroy>>;
using layout_ptr = std::unique_ptr<PangoLayout, freed_by<void, g_object_unref>>;
using font_ptr = std::unique_ptr<PangoFontDescription, freed_by<PangoFontDescription, pango_font_description_free>>;

cairo_status_t append_to(void* closure, const unsigned char* data, unsigned int length) {
  try {  // nothing may be thrown through cairo's C frames
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  } catch (...) {
    return CAIRO_STATUS_WRITE_ERROR;
  }
}

font_ptr font(const char* description) { return font_ptr(pango_font_description_from_string(description)); }

/// Draws the invoice from top to bottom, starting a new page when the next piece would not fit.
class pen {
 public:
  pen(cairo_t* cr, const invoice_layout& doc)
    : cr_(cr), layout_(pango_cairo_create_layout(cr)), doc_(doc) {
    // The legal mentions take what they need at the foot of every page.
    for (const auto& f : doc_.footer) footer_room_ += height(f, content_width - 40, *tiny_);
  }

  void draw() {
    text(doc_.title, margin, content_width, *title_);
    y_ += height(doc_.title, content_width, *title_) + 6;
    for (const auto& fact : doc_.facts) line(fact, *regular_);
    y_ += 18;
    parties();
    y_ += 22;
    table_head();
    for (const auto& row : doc_.rows) table_row(row);
    y_ += 10;
    totals();
    finish_page();
  }

 private:
  /// Sets `s` in a box `width` wide; its height.
  double height(const std::string& s, double width, const PangoFontDescription& f,
                PangoAlignment align = PANGO_ALIGN_LEFT) {
    pango_layout_set_font_description(layout_.get(), &f);
    pango_layout_set_width(layout_.get(), static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout_.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout_.get(), align);
    pango_layout_set_text(layout_.get(), s.c_str(), static_cast<int>(s.size()));
    int w = 0;
    int h = 0;
    pango_layout_get_size(layout_.get(), &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }

  void text(const std::string& s, double x, double width, const PangoFontDescription& f,
            PangoAlignment align = PANGO_ALIGN_LEFT) {
    height(s, width, f, align);
    cairo_move_to(cr_, x, y_);
    pango_cairo_show_layout(cr_, layout_.get());
  }

  void line(const std::string& s, const PangoFontDescription& f) {
    auto h = height(s, content_width, f);
    room_for(h);
    text(s, margin, content_width, f);
    y_ += h;
  }

  void rule(double weight) {
    cairo_set_line_width(cr_, weight);
    cairo_move_to(cr_, margin, y_);
    cairo_line_to(cr_, margin + content_width, y_);
    cairo_stroke(cr_);
  }

  /// Where the content of a page ends: the footer's room below it.
  double bottom() const { return page_height - margin - footer_room_; }

  /// Seller on the left, buyer on the right; one after the other, continued over pages, when they are too long for
  /// what is left of the page (a contact's address and invoice notes may run to many lines).
  void parties() {
    double half = (content_width - 2 * gap) / 2;
    auto height_of = [&](const party& who) {
      double h = height(who.heading, half, *bold_) + 2;
      for (const auto& l : who.lines) h += height(l, half, *regular_);
      return h;
    };
    if (y_ + std::max(height_of(doc_.seller), height_of(doc_.buyer)) > bottom()) {
      for (const party* who : {&doc_.seller, &doc_.buyer}) {
        line(who->heading, *bold_);
        for (const auto& l : who->lines) line(l, *regular_);
        y_ += 8;
      }
      return;
    }
    double top = y_;
    double bottom = top;
    for (auto [who, x] : {std::pair{&doc_.seller, margin}, std::pair{&doc_.buyer, margin + half + 2 * gap}}) {
      y_ = top;
      text(who->heading, x, half, *bold_);
      y_ += height(who->heading, half, *bold_) + 2;
      for (const auto& l : who->lines) {
        auto h = height(l, half, *regular_);
        text(l, x, half, *regular_);
        y_ += h;
      }
      bottom = std::max(bottom, y_);
    }
    y_ = bottom;
  }

  /// The five cells of a row, the product wrapping, the amounts right-aligned; returns the row's height.
  double cells(const std::array<const std::string*, 5>& c, const PangoFontDescription& f, bool draw) {
    double widths[5] = {product_width, amount_width, quantity_width, amount_width, amount_width};
    double x = margin;
    double h = 0;
    for (std::size_t i = 0; i < c.size(); ++i) {
      auto align = i == 0 ? PANGO_ALIGN_LEFT : PANGO_ALIGN_RIGHT;
      h = std::max(h, height(*c[i], widths[i], f, align));
      if (draw) text(*c[i], x, widths[i], f, align);
      x += widths[i] + gap;
    }
    return h;
  }

  void table_head() {
    static const std::string none;
    std::array<const std::string*, 5> c{};
    for (std::size_t i = 0; i < c.size(); ++i) c[i] = i < doc_.columns.size() ? &doc_.columns[i] : &none;
    room_for(cells(c, *small_bold_, false) + 30);
    y_ += cells(c, *small_bold_, true) + 4;
    rule(0.8);
    y_ += 5;
  }

  void table_row(const invoice_row& r) {
    std::array<const std::string*, 5> c{&r.product, &r.unit_price, &r.quantity, &r.taxes, &r.total};
    auto h = cells(c, *small_, false);
    if (y_ + h > bottom()) {
      finish_page();
      table_head();
    }
    cells(c, *small_, true);
    y_ += h + 5;
  }

  void totals() {
    double label_width = 2 * amount_width + gap;
    double label_x = margin + content_width - amount_width - gap - label_width;
    for (std::size_t i = 0; i < doc_.totals.size(); ++i) {
      const auto& [label, amount] = doc_.totals[i];
      bool grand = i + 1 == doc_.totals.size();
      const auto& f = grand ? *bold_ : *regular_;
      auto h = height(label, label_width, f) + 4;
      room_for(h + (grand ? 4 : 0));
      if (grand) {
        cairo_set_line_width(cr_, 0.8);
        cairo_move_to(cr_, label_x, y_);
        cairo_line_to(cr_, margin + content_width, y_);
        cairo_stroke(cr_);
        y_ += 4;
      }
      text(label, label_x, label_width, f, PANGO_ALIGN_RIGHT);
      text(amount, margin + content_width - amount_width, amount_width, f, PANGO_ALIGN_RIGHT);
      y_ += h;
    }
  }

  /// A new page when `h` more points would run into the footer.
  void room_for(double h) {
    if (y_ + h > bottom()) finish_page();
  }

  /// The legal mentions and the page number at the foot, then the next page.
  void finish_page() {
    ++page_;
    y_ = bottom() + 4;
    cairo_set_source_rgb(cr_, 0.35, 0.35, 0.35);
    for (const auto& f : doc_.footer) {
      text(f, margin, content_width - 40, *tiny_);
      y_ += height(f, content_width - 40, *tiny_);
    }
    y_ = bottom() + 4;
    text(std::to_string(page_), margin + content_width - 30, 30, *tiny_, PANGO_ALIGN_RIGHT);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    cairo_show_page(cr_);
    y_ = margin;
  }

  cairo_t* cr_;
  layout_ptr layout_;
  const invoice_layout& doc_;
  font_ptr title_ = font("DejaVu Sans Bold 18");
  font_ptr regular_ = font("DejaVu Sans 10");
  font_ptr bold_ = font("DejaVu Sans Bold 10");
  font_ptr small_ = font("DejaVu Sans 9");
  font_ptr small_bold_ = font("DejaVu Sans Bold 9");
  font_ptr tiny_ = font("DejaVu Sans 7.5");
  double y_ = margin;
  double footer_room_ = 8;
  int page_ = 0;
};

}  // namespace

std::string render_invoice_pdf(const invoice_layout& layout) {
  std::string pdf;
  surface_ptr surface(cairo_pdf_surface_create_for_stream(append_to, &pdf, page_width, page_height));
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, layout.title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "Boutique");
  {
    cairo_ptr cr(cairo_create(surface.get()));
    pen(cr.get(), layout).draw();
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS)
      throw std::runtime_error(std::string("invoice PDF: ") + cairo_status_to_string(cairo_status(cr.get())));
  }
  cairo_surface_finish(surface.get());
  if (auto status = cairo_surface_status(surface.get()); status != CAIRO_STATUS_SUCCESS)
    throw std::runtime_error(std::string("invoice PDF: ") + cairo_status_to_string(status));
  return pdf;
}

}  // namespace boutique::documents
