#pragma once

#include "net/http_types.hpp"

#include <string>
#include <vector>

namespace boutique::net {

/// The address of the client that sent a request, as the login throttles key it. It is the TCP peer `peer`
/// (canonical text), unless the peer is one of `trusted_proxies` (canonical texts, http.trusted_proxies): then it is
/// the right-most address of the X-Forwarded-For headers (in `headers`, names lower case; several headers read as
/// one list) that is not itself a trusted proxy. Each proxy appends the address it received from, so entries to the
/// left of the last untrusted one are the client's own claims and are never believed. With no such entry, or when
/// that entry is not an IP address, the answer stays the peer.
std::string client_address(const std::string& peer, const header_list& headers,
                           const std::vector<std::string>& trusted_proxies);

/// True when the TCP peer `peer` is one of `trusted_proxies` and the last X-Forwarded-Proto it sent is "https": the
/// client reached that proxy over TLS. From any other peer the header is the client's own claim and is ignored.
bool forwarded_https(const std::string& peer, const header_list& headers,
                     const std::vector<std::string>& trusted_proxies);

}  // namespace boutique::net
