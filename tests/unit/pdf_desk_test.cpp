// Where invoice PDFs are drawn (net/pdf_desk.hpp): its places, and the copies it keeps within their bounds.
#include "net/pdf_desk.hpp"

#include <gtest/gtest.h>

using boutique::net::pdf_desk;

namespace {

std::shared_ptr<const std::string> pdf_of(std::size_t bytes, char fill = 'x') {
  return std::make_shared<const std::string>(bytes, fill);
}

}  // namespace

TEST(pdf_desk, a_place_per_customer_and_no_more_places_than_its_limit) {
  pdf_desk desk({2, 8, 1 << 20, std::chrono::seconds(300)});
  EXPECT_TRUE(desk.take(1));
  EXPECT_FALSE(desk.take(1)) << "one place per customer";
  EXPECT_TRUE(desk.take(2));
  EXPECT_FALSE(desk.take(3)) << "both places taken";
  desk.give_back(1);
  EXPECT_TRUE(desk.take(3));
  EXPECT_EQ(desk.numbers().busy.load(), 2u);
}

TEST(pdf_desk, it_keeps_the_most_recently_asked_copies_within_their_count_and_bytes) {
  pdf_desk desk({2, 3, 1000, std::chrono::seconds(300)});
  desk.keep("a", pdf_of(100, 'a'));
  desk.keep("b", pdf_of(100, 'b'));
  desk.keep("c", pdf_of(100, 'c'));
  ASSERT_TRUE(desk.kept("a")) << "asked for again: the most recent now";
  desk.keep("d", pdf_of(100, 'd'));
  EXPECT_FALSE(desk.kept("b")) << "the least recently asked for went first";
  EXPECT_EQ(*desk.kept("a"), std::string(100, 'a'));
  EXPECT_TRUE(desk.kept("c") && desk.kept("d"));

  desk.keep("big", pdf_of(900));
  EXPECT_TRUE(desk.kept("big"));
  EXPECT_FALSE(desk.kept("a") || desk.kept("c")) << "1,000 bytes at most: older copies dropped";
  desk.keep("huge", pdf_of(1001));
  EXPECT_FALSE(desk.kept("huge")) << "a copy larger than the whole bound is not kept";
  desk.keep("big", pdf_of(10, 'n'));
  EXPECT_EQ(*desk.kept("big"), std::string(10, 'n')) << "kept again under the same key: the new copy";
}

TEST(pdf_desk, a_copy_is_kept_for_its_time_only) {
  pdf_desk desk({2, 8, 1 << 20, std::chrono::seconds(0)});
  desk.keep("a", pdf_of(10));
  EXPECT_FALSE(desk.kept("a"));
  EXPECT_EQ(desk.numbers().reused.load(), 0u);
}
