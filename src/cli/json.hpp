// The one JSON writer of cli/ (-w '%{json}', --serverinfo-json): strings escaped as RFC
// 8259 says, with the short escapes for \n, \r and \t, as curl writes them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace smtpc::cli {

/// `text` as a JSON string, quotes included.
[[nodiscard]] std::string json_string(std::string_view text);

/// `items` as a JSON array of strings.
[[nodiscard]] std::string json_strings(const std::vector<std::string>& items);

}  // namespace smtpc::cli
