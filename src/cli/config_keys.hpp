// The keys of an account file (smtpc.conf(5)): one table that the account reader checks
// values against, that fills the options through the option table, and that smtpc.conf(5)
// is generated from, so the file format, the reader and the page cannot drift apart.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace smtpc::cli {

/// What a key's value must be.
enum class KeyValue {
  Text,
  YesNo,          // yes/no, on/off, true/false, 1/0
  YesNoOptional,  // netrc: also "optional"
  AbsolutePath,
  Domain,  // a domain name: no blanks, <>@,;"()[]
};

/// One key of an account.
struct ConfigKey {
  std::string_view name;
  /// The option (long name, in the option table) that the key stands for: apply_account
  /// applies its value through that option's entry. Empty: the account reader gives it its
  /// meaning (url, the login's user and password, netrc, sendmail mode's keys).
  std::string_view option;
  KeyValue value = KeyValue::Text;
  /// smtpc.conf(5)'s text; empty: "As --OPTION" and the option's help.
  std::string_view help;
};

/// Every key, in the order smtpc.conf(5) lists them.
[[nodiscard]] std::span<const ConfigKey> config_keys();

/// The key named `name`, or nullptr.
[[nodiscard]] const ConfigKey* find_config_key(std::string_view name);

/// Why `value` is not a value of `key` ("expected yes or no, got \"x\""), or empty when it is.
[[nodiscard]] std::string config_value_problem(const ConfigKey& key, std::string_view value);

/// smtpc.conf(5) in roff, its KEYS section from config_keys(). `date` goes in the .TH line.
[[nodiscard]] std::string render_config_man(std::string_view version, std::string_view date);

}  // namespace smtpc::cli
