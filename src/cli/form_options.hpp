// -F/--form and --form-string arguments parsed as curl 7.88's tool does (src/tool_formparse.c:
// formparse, get_param_part, get_param_word, read_field_headers) into the compose layer's
// FormMessage parts.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtpc/compose/form.hpp"

namespace smtpc::cli {

/// One -F (literal false) or --form-string (literal true) argument, as given.
struct FormArgument {
  std::string text;
  bool literal = false;
};

/// Reads a ";headers=@FILE" file: its content, or nullopt (with the reason in `error`)
/// when it cannot be read.
using HeaderFileReader =
    std::function<std::optional<std::string>(const std::string& path, std::string& error)>;

/// The file reader the command line uses.
[[nodiscard]] HeaderFileReader read_header_file_from_disk();

/// The lines of a ";headers=@FILE" file as curl's read_field_headers takes them: CR
/// ignored, a line starting with a blank continues the previous field (its blanks kept),
/// lines starting with '#' are comments, trailing blanks removed, a field cut at 998
/// characters (a warning says so).
[[nodiscard]] std::vector<std::string> parse_header_file(std::string_view text,
                                                         std::string_view path,
                                                         std::vector<std::string>& warnings);

/// Parses the arguments in order, as curl does: "name=content" where content is
/// "(" (start a multipart, ;type= and ;headers= allowed), ")" (end it), "@file[,file...]"
/// (attach files: ;type= ;filename= ;encoder= ;headers=), "<file" (a part read from a file:
/// ;type= ;encoder= ;headers=), or text (;type= ;filename= ;encoder= ;headers=); "-" as a
/// file is standard input; values may be double-quoted with \\ and \" escapes. A
/// --form-string's content is text, taken literally. Non-fatal problems (an unknown
/// parameter, a parameter not allowed there, an unreadable headers file) are appended to
/// `warnings` in curl's words.
/// Throws Error(FailedInit) as curl fails with "option -F: is badly used here" (no '=', a
/// bad type, ")" with no multipart open), Error(BadFunctionArgument) for an unknown encoder
/// (curl's exit 43).
[[nodiscard]] std::vector<FormPart> parse_form(const std::vector<FormArgument>& arguments,
                                               std::vector<std::string>& warnings,
                                               const HeaderFileReader& read_file);

}  // namespace smtpc::cli
