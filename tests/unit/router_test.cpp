#include "net/problem.hpp"
#include "net/router.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

using namespace boutique::net;

namespace {

http_response dispatch(const router& r, const std::string& method, const std::string& path) {
  http_request request;
  request.method = method;
  request.path = path;
  http_response answer;
  r.dispatch(std::move(request), [&](http_response response) { answer = std::move(response); });
  return answer;
}

router sample_router() {
  router r;
  r.add("GET", "/api/v1/sessions/{sid}", [](http_request&, const route_params& p, responder respond) {
    respond(json_response(200, p.get("sid")));
  });
  r.add("PUT", "/api/v1/sessions/{sid}/cart", [](http_request&, const route_params& p, responder respond) {
    respond(json_response(200, "cart:" + p.get("sid")));
  });
  return r;
}

}  // namespace

TEST(router, captures_path_parameters_and_names_the_route) {
  auto r = sample_router();
  auto answer = dispatch(r, "GET", "/api/v1/sessions/abc123");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "abc123");
  EXPECT_EQ(answer.route, "GET /api/v1/sessions/{sid}");
  EXPECT_EQ(dispatch(r, "PUT", "/api/v1/sessions/x/cart").body, "cart:x");
}

TEST(router, unknown_path_is_a_404_problem) {
  auto answer = dispatch(sample_router(), "GET", "/api/v1/nothing");
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(answer.content_type, "application/problem+json");
  EXPECT_EQ(nlohmann::json::parse(answer.body)["status"], 404);
}

TEST(router, wrong_method_is_a_405_with_allow) {
  auto answer = dispatch(sample_router(), "DELETE", "/api/v1/sessions/abc");
  EXPECT_EQ(answer.status, 405);
  ASSERT_EQ(answer.headers.size(), 1u);
  EXPECT_EQ(answer.headers[0].second, "GET, HEAD");
}
