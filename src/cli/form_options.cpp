// -F/--form-string parsing, a port of curl 7.88's src/tool_formparse.c (formparse,
// get_param_part, get_param_word, read_field_headers) onto the compose layer's FormPart.
#include "form_options.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "smtpc/core/error.hpp"
#include "smtpc/core/text.hpp"
#include "smtpc/sys/file.hpp"

namespace smtpc::cli {
namespace {

constexpr std::size_t kMaxHeaderLength = 998;  // curl's hdrbuf[999]
constexpr std::size_t kMaxTypeWord = 127;      // curl's "%127[^/ ]/%127[^;, \n]"

bool is_space(char c) noexcept {  // curl's ISSPACE
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool has_prefix(std::string_view text, std::size_t at, std::string_view prefix) noexcept {
  return text.size() - at >= prefix.size() &&
         equals_ignore_case(text.substr(at, prefix.size()), prefix);
}

[[noreturn]] void badly_used(std::string_view argument, std::string_view why) {
  throw Error(ExitCode::FailedInit,
              fmt::format("option -F: is badly used here: \"{}\": {}", argument, why));
}

// One parameter word: quoted ("...", with \\ and \" escapes) or up to ';' or `endchar`.
struct Word {
  std::string text;
  bool quoted = false;
};

// curl's get_param_word: reads the word at `pos` and leaves `pos` at the ';', `endchar` or
// end that follows it (after any trailing data of a quoted word, which is warned about).
Word get_word(std::string_view s, std::size_t& pos, char endchar,
              std::vector<std::string>& warnings) {
  auto ends_word = [&](std::size_t p) { return p >= s.size() || s[p] == ';' || s[p] == endchar; };
  if (pos < s.size() && s[pos] == '"') {
    std::string text;
    for (std::size_t p = pos + 1; p < s.size(); ++p) {
      if (s[p] == '\\' && p + 1 < s.size() && (s[p + 1] == '\\' || s[p + 1] == '"')) {
        text += s[++p];
        continue;
      }
      if (s[p] == '"') {
        bool trailing = false;
        for (++p; !ends_word(p); ++p) trailing = trailing || !is_space(s[p]);
        if (trailing) warnings.emplace_back("Trailing data after quoted form parameter");
        pos = p;
        return {std::move(text), true};
      }
      text += s[p];
    }
    // No closing quote: the word is read as if it were not quoted.
  }
  const std::size_t begin = pos;
  while (!ends_word(pos)) ++pos;
  return {std::string(s.substr(begin, pos - begin)), false};
}

// A word after skipping blanks; an unquoted one loses its trailing blanks.
std::string get_value(std::string_view s, std::size_t& pos, char endchar,
                      std::vector<std::string>& warnings) {
  while (pos < s.size() && is_space(s[pos])) ++pos;
  Word word = get_word(s, pos, endchar, warnings);
  if (!word.quoted) {
    while (!word.text.empty() && is_space(word.text.back())) word.text.pop_back();
  }
  return std::move(word.text);
}

// What may follow the content of a part ("content;type=...;filename=...").
struct Allowed {
  bool type = true;
  bool filename = true;
  bool encoder = true;
};

struct Params {
  std::string data;
  std::optional<std::string> type;
  std::optional<std::string> filename;
  std::optional<std::string> encoder;
  std::vector<std::string> headers;
  char sep = '\0';  // what ended them: '\0' (the end) or `endchar`
};

// The end of "major/minor" at `p` in "type=major/minor"; warns of (and refuses) a type
// that is not of that shape, as curl does.
std::size_t after_type(std::string_view argument, std::string_view s, std::size_t p,
                       std::vector<std::string>& warnings) {
  std::size_t q = p;
  std::size_t major = 0;
  while (q < s.size() && s[q] != '/' && s[q] != ' ' && major < kMaxTypeWord) ++q, ++major;
  bool valid = major > 0 && q < s.size() && s[q] == '/';
  std::size_t minor = 0;
  if (valid) {
    ++q;
    while (q < s.size() && std::string_view(";, \n").find(s[q]) == std::string_view::npos &&
           minor < kMaxTypeWord) {
      ++q, ++minor;
    }
    valid = minor > 0;
  }
  if (!valid) {
    warnings.emplace_back("Illegally formatted content-type field!");
    badly_used(argument, "illegally formatted content-type field");
  }
  return q;
}

// headers=@FILE: its fields join `headers`; a file that cannot be read is a warning, as in curl.
void add_header_file(const std::string& path, const HeaderFileReader& read_file,
                     std::vector<std::string>& headers, std::vector<std::string>& warnings) {
  std::string error;
  if (const auto text = read_file(path, error)) {
    for (auto& line : parse_header_file(*text, path, warnings)) headers.push_back(std::move(line));
  } else {
    warnings.push_back(fmt::format("Cannot read from {}: {}", path, error));
  }
}

// What this kind of part may not have is dropped, with curl's warning.
void drop_disallowed(Allowed allowed, Params& params, std::vector<std::string>& warnings) {
  if (!allowed.type && params.type) {
    warnings.push_back(fmt::format("Field content type not allowed here: {}", *params.type));
    params.type.reset();
  }
  if (!allowed.filename && params.filename) {
    warnings.push_back(fmt::format("Field file name not allowed here: {}", *params.filename));
    params.filename.reset();
  }
  if (!allowed.encoder && params.encoder) {
    warnings.push_back(fmt::format("Field encoder not allowed here: {}", *params.encoder));
    params.encoder.reset();
  }
}

// curl's get_param_part.
Params get_params(std::string_view argument, std::string_view s, std::size_t& p, char endchar,
                  Allowed allowed, std::vector<std::string>& warnings,
                  const HeaderFileReader& read_file) {
  Params out;
  auto at = [&](std::size_t i) { return i < s.size() ? s[i] : '\0'; };
  out.data = get_value(s, p, endchar, warnings);
  char sep = at(p);
  std::optional<std::size_t> type_begin;
  std::optional<std::size_t> type_end;  // curl's endct: set while the type may grow
  auto close_type = [&] {
    if (type_end) {
      out.type = std::string(s.substr(*type_begin, *type_end - *type_begin));
      type_end.reset();
    }
  };
  // Extends the type over what follows, up to ';' or `endchar`, without trailing blanks.
  auto extend_type = [&] {
    for (type_end = p; p < s.size() && s[p] != ';' && s[p] != endchar; ++p) {
      if (!is_space(s[p])) type_end = p + 1;
    }
    sep = at(p);
  };
  while (sep == ';') {
    ++p;
    while (p < s.size() && is_space(s[p])) ++p;
    if (!type_end && has_prefix(s, p, "type=")) {
      for (p += 5; p < s.size() && is_space(s[p]); ++p) {
      }
      type_begin = p;
      p = after_type(argument, s, p, warnings);
      extend_type();
    } else if (has_prefix(s, p, "filename=")) {
      close_type();
      p += 9;
      out.filename = get_value(s, p, endchar, warnings);
      sep = at(p);
    } else if (has_prefix(s, p, "headers=")) {
      close_type();
      p += 8;
      if (at(p) == '@' || at(p) == '<') {
        ++p;
        const std::string path = get_value(s, p, endchar, warnings);
        add_header_file(path, read_file, out.headers, warnings);
      } else {
        out.headers.push_back(get_value(s, p, endchar, warnings));
      }
      sep = at(p);
    } else if (has_prefix(s, p, "encoder=")) {
      close_type();
      p += 8;
      out.encoder = get_value(s, p, endchar, warnings);
      sep = at(p);
    } else if (type_end) {
      extend_type();  // a parameter of the type: "type=text/plain; charset=utf-8"
    } else {
      const Word unknown = get_word(s, p, endchar, warnings);
      sep = at(p);
      if (!unknown.text.empty()) {
        warnings.push_back(fmt::format("skip unknown form field: {}", unknown.text));
      }
    }
  }
  close_type();
  drop_disallowed(allowed, out, warnings);
  out.sep = sep;
  return out;
}

FormEncoder encoder_of(std::string_view argument, const std::optional<std::string>& name) {
  if (!name) return FormEncoder::None;
  if (const auto encoder = parse_form_encoder(*name)) return *encoder;
  throw Error(ExitCode::BadFunctionArgument,
              fmt::format("-F \"{}\": unknown encoder \"{}\" (binary, 8bit, 7bit, base64 or "
                          "quoted-printable)",
                          argument, *name));
}

// Fills a part's settings from its parameters.
void apply(FormPart& part, Params& params, std::string_view argument) {
  part.type = std::move(params.type);
  if (params.filename) part.filename = std::move(params.filename);
  part.encoder = encoder_of(argument, params.encoder);
  part.headers = std::move(params.headers);
}

FormPart part_of(FormPart::Kind kind) {
  FormPart part;
  part.kind = kind;
  return part;
}

// Builds the tree: the top multipart and the path to the one being filled.
class FormTree {
 public:
  FormPart& current() {
    FormPart* part = &top_;
    for (const std::size_t index : path_) part = &part->parts[index];
    return *part;
  }
  FormPart& add(FormPart& parent, FormPart part) {
    parent.parts.push_back(std::move(part));
    return parent.parts.back();
  }
  void open_last() { path_.push_back(current().parts.size() - 1); }
  bool close() {
    if (path_.empty()) return false;
    path_.pop_back();
    return true;
  }
  std::vector<FormPart> take() { return std::move(top_.parts); }

 private:
  FormPart top_ = part_of(FormPart::Kind::Multipart);
  std::vector<std::size_t> path_;
};

void parse_one(FormTree& tree, const FormArgument& argument, std::vector<std::string>& warnings,
               const HeaderFileReader& read_file) {
  const std::string_view text = argument.text;
  const auto equals = text.find('=');
  if (equals == std::string_view::npos) {
    warnings.emplace_back("Illegally formatted input field!");
    badly_used(text, "expected NAME=CONTENT");
  }
  std::optional<std::string> name;
  if (equals > 0) name = std::string(text.substr(0, equals));
  const std::string_view s = text.substr(equals + 1);
  std::size_t p = 0;
  const bool literal = argument.literal;

  if (!literal && s.starts_with('(')) {
    Params params = get_params(
        text, s, p, '\0', {.type = true, .filename = false, .encoder = false}, warnings, read_file);
    FormPart part = part_of(FormPart::Kind::Multipart);
    part.type = std::move(params.type);
    part.headers = std::move(params.headers);
    part.name = std::move(name);
    tree.add(tree.current(), std::move(part));
    tree.open_last();
    return;
  }
  if (!literal && !name && s == ")") {
    if (!tree.close()) {
      warnings.emplace_back("no multipart to terminate!");
      badly_used(text, "no multipart to terminate");
    }
    return;
  }
  if (!literal && s.starts_with('@')) {
    FormPart* group = nullptr;  // the multipart the files go into
    FormPart* last = nullptr;
    char sep = '\0';
    do {
      ++p;  // the '@', then each ','
      Params params = get_params(text, s, p, ',', {}, warnings, read_file);
      sep = params.sep;
      if (group == nullptr) {
        if (sep != ',') {
          group = &tree.current();
        } else {
          group = &tree.add(tree.current(), part_of(FormPart::Kind::Multipart));
        }
      }
      FormPart part;
      const bool standard_input = params.data == "-";
      part.kind = standard_input ? FormPart::Kind::StandardInput : FormPart::Kind::File;
      part.filename = standard_input ? std::string("-") : form_file_name(params.data);
      part.data = std::move(params.data);
      apply(part, params, text);
      last = &tree.add(*group, std::move(part));
    } while (sep != '\0');
    // curl names the last part added where the files went: the group, or the one file.
    FormPart& named = group == &tree.current() ? *last : *group;
    named.name = std::move(name);
    return;
  }
  FormPart part;
  if (!literal && s.starts_with('<')) {
    ++p;
    Params params = get_params(text, s, p, '\0', {.type = true, .filename = false, .encoder = true},
                               warnings, read_file);
    part.kind = params.data == "-" ? FormPart::Kind::StandardInput : FormPart::Kind::File;
    part.data = std::move(params.data);
    apply(part, params, text);
  } else if (literal) {
    part.data = std::string(s);
  } else {
    Params params = get_params(text, s, p, '\0', {}, warnings, read_file);
    part.data = std::move(params.data);
    apply(part, params, text);
  }
  part.name = std::move(name);
  tree.add(tree.current(), std::move(part));
}

}  // namespace

HeaderFileReader read_header_file_from_disk() {
  return [](const std::string& path, std::string& error) -> std::optional<std::string> {
    FileContent file = read_file(path);
    if (!file.ok()) {
      error = std::strerror(file.error);
      return std::nullopt;
    }
    return std::move(file.text);
  };
}

std::vector<std::string> parse_header_file(std::string_view text, std::string_view path,
                                           std::vector<std::string>& warnings) {
  std::vector<std::string> lines;
  std::string field;
  std::size_t column = 0;  // characters on this line, comments included
  bool in_comment = false;
  int line_number = 1;
  auto flush = [&] {
    while (!field.empty() && is_space(field.back())) field.pop_back();
    if (!field.empty()) lines.push_back(std::move(field));
    field.clear();
  };
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size()) {
      flush();
      break;
    }
    char c = text[i];
    if (column == 0 && !is_space(c)) flush();  // not a continuation: a new field
    if (c == '\r') continue;
    if (c == '\n') {
      column = 0;
      in_comment = false;
      ++line_number;
      continue;
    }
    if (c == '#' && column == 0) in_comment = true;
    ++column;
    if (in_comment) continue;
    if (field.size() == kMaxHeaderLength) {
      warnings.push_back(
          fmt::format("File {} line {}: header too long (truncated)", path, line_number));
      c = ' ';
    }
    if (field.size() <= kMaxHeaderLength) field += c;
  }
  return lines;
}

std::vector<FormPart> parse_form(const std::vector<FormArgument>& arguments,
                                 std::vector<std::string>& warnings,
                                 const HeaderFileReader& read_file) {
  FormTree tree;
  for (const auto& argument : arguments) parse_one(tree, argument, warnings, read_file);
  return tree.take();
}

}  // namespace smtpc::cli
