// The one JSON writer of cli/ (-w '%{json}', --serverinfo-json): strings escaped as RFC
// 8259 says, with the short escapes for \b, \f, \n, \r and \t, as curl writes them
// (its jsonquoted, also behind --expand's :json).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace smtpc::cli {

/// `text` escaped for a JSON string, without the quotes.
[[nodiscard]] std::string json_escape(std::string_view text);

/// `text` as a JSON string, quotes included.
[[nodiscard]] std::string json_string(std::string_view text);

/// `items` as a JSON array of strings.
[[nodiscard]] std::string json_strings(const std::vector<std::string>& items);

}  // namespace smtpc::cli
